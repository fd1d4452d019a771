using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using LlmMux.Accounts.OAuth;

namespace LlmMux.Accounts.Providers.Gemini;

/// <summary>
/// The Code Assist set-up after a Google login, which finds or creates the account's project:
/// <c>loadCodeAssist</c>, then <c>onboardUser</c> polled until <c>done</c>.
/// </summary>
internal static class CodeAssistSetup
{
    private const int MaxOnboardPolls = 60;
    private static readonly TimeSpan OnboardPollInterval = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Finds the Code Assist project of the account: the one <c>loadCodeAssist</c> reports, else the result of
    /// <c>onboardUser</c> with the default tier (polled every 5 s until <c>done</c>). <paramref name="requestedProject"/>
    /// (the user's <c>--project</c>) is sent along when given. <paramref name="identity"/> is the client the calls
    /// introduce themselves as (gemini-cli's headers unless given: Antigravity sends its own).
    /// </summary>
    public static async Task<string> ProjectAsync(
        HttpClient http, OAuthSettings settings, string accessToken, string? requestedProject, TimeProvider time, CancellationToken ct,
        IReadOnlyList<KeyValuePair<string, string>>? identity = null)
    {
        identity ??= CodeAssistIdentity.Headers;
        var baseUrl = settings.Endpoint(GeminiProvider.CodeAssistBaseUrlKey).TrimEnd('/');
        var metadata = new JsonObject { ["ideType"] = "IDE_UNSPECIFIED", ["platform"] = "PLATFORM_UNSPECIFIED", ["pluginType"] = "GEMINI" };
        if (!string.IsNullOrEmpty(requestedProject))
        {
            metadata["duetProject"] = requestedProject;
        }

        var load = new JsonObject { ["metadata"] = metadata.DeepClone() };
        if (!string.IsNullOrEmpty(requestedProject))
        {
            load["cloudaicompanionProject"] = requestedProject;
        }

        JsonElement loaded;
        try
        {
            loaded = await OAuthHttp.PostJsonAsync(http, baseUrl + "/v1internal:loadCodeAssist", load, "Code Assist loadCodeAssist", h => Headers(h, accessToken, identity), ct)
                .ConfigureAwait(false);
        }
        catch (OAuthException e) when (e.StatusCode is 400 or 403 && ReferenceEquals(identity, CodeAssistIdentity.Headers))
        {
            // Google answers an individual's account this way since it retired Code Assist for individuals (2026-06-18).
            throw new OAuthException(e.Message + " " + RetiredHint, e.StatusCode, e.Error);
        }
        if (ProjectOf(loaded, "cloudaicompanionProject") is { } existing)
        {
            return existing;
        }

        var tier = DefaultTier(loaded);
        if (tier.NeedsUserProject && string.IsNullOrEmpty(requestedProject))
        {
            throw new OAuthException($"This Google account's Code Assist tier '{tier.Id}' needs a Google Cloud project; run the login again with a project id.");
        }

        var onboard = new JsonObject { ["tierId"] = tier.Id, ["metadata"] = metadata.DeepClone() };
        if (!string.IsNullOrEmpty(requestedProject))
        {
            onboard["cloudaicompanionProject"] = requestedProject;
        }

        for (var attempt = 0; attempt < MaxOnboardPolls; attempt++)
        {
            var operation = await OAuthHttp.PostJsonAsync(http, baseUrl + "/v1internal:onboardUser", (JsonObject)onboard.DeepClone(), "Code Assist onboardUser", h => Headers(h, accessToken, identity), ct)
                .ConfigureAwait(false);
            if (operation.TryGetProperty("done", out var done) && done.ValueKind == JsonValueKind.True)
            {
                var project = operation.TryGetProperty("response", out var response) ? ProjectOf(response, "cloudaicompanionProject") : null;
                return project ?? requestedProject
                    ?? throw new OAuthException("Code Assist onboarding finished without a project id.");
            }

            await Task.Delay(OnboardPollInterval, time, ct).ConfigureAwait(false);
        }

        throw new OAuthException("Code Assist onboarding did not finish in time; try the login again.");
    }

    /// <summary>What a refused <c>login gemini</c> adds: the likely cause and the way forward.</summary>
    internal const string RetiredHint =
        "If this is an individual (free or Google One) account: Google retired Gemini Code Assist for individuals on 2026-06-18; sign in with `llm-mux login antigravity` instead (licensed Standard/Enterprise accounts work here).";

    private static void Headers(HttpRequestHeaders headers, string accessToken, IReadOnlyList<KeyValuePair<string, string>> identity)
    {
        headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        foreach (var (name, value) in identity)
        {
            headers.TryAddWithoutValidation(name, value);
        }
    }

    /// <summary>A project given as a string or as <c>{ "id": … }</c>.</summary>
    private static string? ProjectOf(JsonElement obj, string name)
    {
        if (obj.ValueKind != JsonValueKind.Object || !obj.TryGetProperty(name, out var value))
        {
            return null;
        }

        var id = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Object => OAuthHttp.String(value, "id"),
            _ => null,
        };
        return string.IsNullOrWhiteSpace(id) ? null : id;
    }

    private static (string Id, bool NeedsUserProject) DefaultTier(JsonElement loaded)
    {
        if (loaded.TryGetProperty("allowedTiers", out var tiers) && tiers.ValueKind == JsonValueKind.Array)
        {
            foreach (var tier in tiers.EnumerateArray())
            {
                if (tier.TryGetProperty("isDefault", out var isDefault) && isDefault.ValueKind == JsonValueKind.True
                    && OAuthHttp.String(tier, "id") is { Length: > 0 } id)
                {
                    var needsProject = tier.TryGetProperty("userDefinedCloudaicompanionProject", out var u) && u.ValueKind == JsonValueKind.True;
                    return (id, needsProject);
                }
            }
        }

        return ("legacy-tier", false);
    }
}
