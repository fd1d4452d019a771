using System.Text.Json;
using LlmMux.Accounts.Login;
using LlmMux.Accounts.OAuth;
using LlmMux.Accounts.Refresh;
using LlmMux.Accounts.Store;

namespace LlmMux.Accounts.Providers.Vertex;

/// <summary>
/// Vertex AI with a Google service-account key: no browser, the login reads the key file
/// (<c>llm-mux login vertex --key-file sa.json</c>) and writes <c>vertex-&lt;client_email&gt;.json</c>
/// (<c>type</c>, <c>email</c>, <c>project_id</c> and the whole key under <c>service_account</c>, as the Go llm-mux
/// writes it). A key file as Google downloads it (<c>"type": "service_account"</c>) is read as such too, so one uploaded
/// through the management API or copied into the auth dir is a vertex account. Tokens come from the JWT-bearer grant
/// (RFC 7523) at the key's <c>token_uri</c>, kept in memory and renewed before they expire; a grant the endpoint
/// refuses (<c>invalid_grant</c>: the key was deleted or disabled) marks the account expired.
/// </summary>
internal sealed class VertexProvider : TokenExchangeProvider
{
    public const string TypeName = "vertex";

    /// <summary>Where the key sits in the account file.</summary>
    public const string KeyProperty = "service_account";

    public const string GrantType = "urn:ietf:params:oauth:grant-type:jwt-bearer";

    private const string Step = "Service-account token";

    /// <summary>A key file is a few kB; anything much larger is not one.</summary>
    private const int MaxKeyFileBytes = 64 * 1024;

    public override string Type => TypeName;

    /// <summary>A key file as Google writes it.</summary>
    public override IReadOnlyList<string> Aliases { get; } = [ServiceAccountKey.KeyType];

    public override string DisplayName => "Vertex AI";

    /// <summary>Google's token endpoint; a key names its own <c>token_uri</c>, which is used unless <c>oauth.token-url</c> is set.</summary>
    public override OAuthSettings DefaultOAuth { get; } = new(
        AuthorizeUrl: "",
        TokenUrl: "https://oauth2.googleapis.com/token",
        DeviceCodeUrl: null,
        ClientId: "",
        ClientSecret: null,
        CallbackPort: 0,
        CallbackPath: "/",
        Scopes: VertexJwt.Scope);

    public override async Task<LoginResult> LoginAsync(LoginContext context, CancellationToken ct)
    {
        var path = context.Options.KeyFile
            ?? throw new OAuthException("a vertex login reads a service-account key: run 'llm-mux login vertex --key-file sa.json'.");
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new OAuthException($"the key file '{path}' does not exist.");
            }

            if (info.Length > MaxKeyFileBytes)
            {
                throw new OAuthException($"the key file '{path}' is too large to be a service-account key.");
            }

            bytes = await File.ReadAllBytesAsync(path, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OAuthException($"the key file '{path}' cannot be read ({e.GetType().Name}).");
        }

        var (file, key) = FromKeyFile(bytes, out var error);
        if (file is null)
        {
            throw new OAuthException($"the key file '{path}' is not a usable service-account key: {error}.");
        }

        await context.Output.WriteLineAsync($"Read the key of service account {key!.ClientEmail} (project {key.ProjectId}).").ConfigureAwait(false);
        return new LoginResult(file, key.ClientEmail);
    }

    /// <summary>The account file for a downloaded key, or null and why not.</summary>
    public static (AccountFile? File, ServiceAccountKey? Key) FromKeyFile(ReadOnlySpan<byte> bytes, out string? error)
    {
        JsonElement json;
        try
        {
            using var document = JsonDocument.Parse(bytes.ToArray());
            json = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            error = "it is not valid JSON";
            return (null, null);
        }

        if (ServiceAccountKey.Parse(json, out error) is not { } key)
        {
            return (null, null);
        }

        var file = new AccountFile
        {
            Type = TypeName,
            Email = key.ClientEmail,
            ProjectId = key.ProjectId,
            Extra = new Dictionary<string, JsonElement>(StringComparer.Ordinal) { [KeyProperty] = json },
        };
        return (file, key);
    }

    /// <summary>The key of a file in either shape; null when it holds no usable key.</summary>
    public static ServiceAccountKey? KeyOf(AccountFile file, out string? error) => KeyOf(file, out error, out _);

    /// <param name="field">The field at fault (in the nested key, or in the key file itself).</param>
    private static ServiceAccountKey? KeyOf(AccountFile file, out string? error, out string? field)
    {
        if (file.Extra?.GetValueOrDefault(KeyProperty) is { ValueKind: JsonValueKind.Object } nested)
        {
            var key = ServiceAccountKey.Parse(nested, out error, out field);
            field = field is null ? null : KeyProperty + "." + field;
            return key;
        }

        if (string.Equals(file.Type, ServiceAccountKey.KeyType, StringComparison.Ordinal))
        {
            return ServiceAccountKey.Parse(JsonSerializer.SerializeToElement(file, AccountJsonContext.Default.AccountFile), out error, out field);
        }

        error = $"it has no \"{KeyProperty}\"";
        field = KeyProperty;
        return null;
    }

    /// <summary>The field whose absence or shape makes the key unusable (a private key that does not load is "missing" too): an upload is refused naming it.</summary>
    public override string? MissingField(AccountFile file) => KeyOf(file, out _, out var field) is null ? field ?? KeyProperty : null;

    public override string? Identity(AccountFile file) => KeyOf(file, out _)?.ClientEmail ?? base.Identity(file);

    public override ProviderDetails? Details(AccountFile file) => KeyOf(file, out _) is { } key ? new VertexDetails(file.ProjectId is { Length: > 0 } p ? p : key.ProjectId) : null;

    /// <summary>The private key: a new key in the file (a rotated one) means a new exchange.</summary>
    public override string? StoredToken(AccountFile file) => KeyOf(file, out _)?.PrivateKey;

    public override Task<ExchangedToken> ExchangeAsync(HttpClient http, OAuthSettings settings, string storedToken, TimeSpan lead, DateTimeOffset now, CancellationToken ct) =>
        throw new NotSupportedException("A service-account key is exchanged from its account file.");

    /// <summary>
    /// <c>POST token_uri</c> with <c>grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer</c> and the signed assertion;
    /// the access token is used until <paramref name="lead"/> before its <c>expires_in</c>.
    /// </summary>
    public override async Task<ExchangedToken> ExchangeAsync(HttpClient http, OAuthSettings settings, AccountFile file, TimeSpan lead, DateTimeOffset now, CancellationToken ct)
    {
        var key = KeyOf(file, out var error) ?? throw new OAuthException($"{Step}: the account holds no usable key ({error}).");
        var tokenUrl = settings.TokenUrl != DefaultOAuth.TokenUrl && settings.TokenUrl.Length > 0 ? settings.TokenUrl : key.TokenUri;
        var assertion = VertexJwt.Create(key, tokenUrl, VertexJwt.Scope, now);
        var json = await OAuthHttp.PostFormAsync(
            http,
            tokenUrl,
            [new("grant_type", GrantType), new("assertion", assertion)],
            Step,
            null,
            ct).ConfigureAwait(false);
        var token = OAuthHttp.Required(json, "access_token", Step);
        var lifetime = OAuthHttp.Seconds(OAuthHttp.Int64(json, "expires_in"), VertexJwt.Lifetime) ?? VertexJwt.Lifetime;
        var expiresAt = now + lifetime;
        var refreshAt = lifetime > lead + lead ? expiresAt - lead : now + (lifetime / 2);
        return new ExchangedToken(token, expiresAt, refreshAt, null);
    }
}
