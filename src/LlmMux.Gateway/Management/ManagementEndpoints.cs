using LlmMux.Accounts.Store;
using System.Text;
using System.Text.Json.Serialization;
using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Health;
using LlmMux.Gateway.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Yarp.ReverseProxy;

namespace LlmMux.Gateway.Management;

/// <summary>
/// <c>/v0/management</c> (spec §8; docs/management-api.yaml). Every route is 404 while no secret is configured, 403 for a
/// non-loopback caller unless <c>management.allow-remote</c>, 401 without the right secret as
/// <c>Authorization: Bearer</c> or <c>X-Management-Key</c>.
/// </summary>
internal static class ManagementEndpoints
{
    public static IEndpointRouteBuilder MapManagement(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/v0/management").AddEndpointFilter(Authorize);
        group.MapGet("/accounts", Accounts);
        group.MapGet("/quota", Quota);
        group.MapGet("/usage", (UsageLedger ledger) => Results.Json(ledger.Rows(), ManagementJsonContext.Default.IReadOnlyListUsageRow));
        group.MapGet("/requests", (RequestLog log, int? limit) => Results.Json(log.Recent(Math.Clamp(limit ?? 100, 1, 500)), ManagementJsonContext.Default.IReadOnlyListRequestRecord));
        group.MapGet("/config", GetConfig);
        group.MapPut("/config", PutConfigAsync);
        group.MapPost("/config/validate", ValidateAsync);
        group.MapAccountAdministration();
        return endpoints;
    }

    private static async ValueTask<object?> Authorize(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var management = http.RequestServices.GetService(typeof(GatewayConfigStore)) is GatewayConfigStore store ? store.Current.Options.Management : new ManagementOptions();
        return Check(http, management) switch
        {
            404 => Results.NotFound(),
            403 => Problem(403, "management is only served to loopback callers (management.allow-remote: false)"),
            401 => Problem(401, "missing or wrong management secret"),
            _ => await next(context).ConfigureAwait(false),
        };
    }

    /// <summary>The status a management call gets before any route runs, or null when it may go on.</summary>
    internal static int? Check(HttpContext http, ManagementOptions management)
    {
        if (management.SecretKey.Length == 0)
        {
            return 404;
        }

        if (!management.AllowRemote && !Caller.IsLocal(http))
        {
            return 403;
        }

        var given = http.Request.Headers["X-Management-Key"].ToString();
        var authorization = http.Request.Headers.Authorization.ToString();
        if (given.Length == 0 && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            given = authorization["Bearer ".Length..].Trim();
        }

        return given.Length > 0 && ManagementSecret.Verify(management.SecretKey, given) ? null : 401;
    }

    private static IResult Accounts(GatewayConfigStore config, AccountStateStore states, IProxyStateLookup proxy, AccountStore logins)
    {
        var rows = new List<AccountView>();
        var served = new HashSet<string>(StringComparer.Ordinal);
        foreach (var provider in config.Current.Providers)
        {
            proxy.TryGetCluster(provider.Name, out var cluster);
            foreach (var account in provider.Accounts)
            {
                var status = states.Status(account.DestinationId);
                var inFlight = cluster?.Destinations.TryGetValue(account.DestinationId, out var destination) == true ? destination.ConcurrentRequestCount : 0;
                var login = account.LoginAccountId is { } id ? logins.Find(id) : null;
                if (login is not null)
                {
                    served.Add(login.Id);
                }

                rows.Add(new AccountView(account.DestinationId, provider.Name, provider.Kind.Type, status.State.ToString().ToLowerInvariant(),
                    status.CooldownUntil, status.ModelCooldowns, inFlight, status.RequestsLastMinute, status.RequestsLastHour, status.RequestsLastDay,
                    status.TokensLastDay, status.LearnedRequestsPerMinute, status.LastError, login?.Expiry));
            }
        }

        // Disabled or expired login accounts serve nowhere, yet the user must see them to enable them or log in again.
        foreach (var login in logins.Accounts.Where(a => !served.Contains(a.Id)))
        {
            rows.Add(new AccountView(login.Id, Provider: null, login.Type, login.State.ToString().ToLowerInvariant(), null, System.Collections.ObjectModel.ReadOnlyDictionary<string, DateTimeOffset>.Empty,
                0, 0, 0, 0, 0, null, null, login.Expiry));
        }

        return Results.Json(rows, ManagementJsonContext.Default.ListAccountView);
    }

    private static IResult Quota(GatewayConfigStore config, AccountStateStore states)
    {
        var rows = config.Current.Providers.SelectMany(p => p.Accounts)
            .Select(a => states.Status(a.DestinationId))
            .Where(s => s.CooldownUntil is not null || s.ModelCooldowns.Count > 0)
            .Select(s => new QuotaView(s.DestinationId, s.State.ToString().ToLowerInvariant(), s.CooldownUntil, s.ModelCooldowns, s.LearnedRequestsPerMinute))
            .ToList();
        return Results.Json(rows, ManagementJsonContext.Default.ListQuotaView);
    }

    private static IResult GetConfig(GatewayConfigStore config)
        => Results.Json(new ConfigView(config.Source.FilePath, config.Source.ReadText(), config.Current.Revision, config.LastError), ManagementJsonContext.Default.ConfigView);

    private static async Task<IResult> ValidateAsync(HttpRequest request, GatewayConfigStore config)
    {
        var yaml = await ReadTextAsync(request).ConfigureAwait(false);
        try
        {
            ConfigLoader.Parse(yaml, "request body");
            return Results.Json(new ValidationView(true, []), ManagementJsonContext.Default.ValidationView);
        }
        catch (ConfigException ex)
        {
            return Results.Json(new ValidationView(false, ex.Errors), ManagementJsonContext.Default.ValidationView, statusCode: 400);
        }
    }

    /// <summary>Validates, writes the file atomically, and applies it at once through the same reload a file edit gets.</summary>
    private static async Task<IResult> PutConfigAsync(HttpRequest request, GatewayConfigStore config)
    {
        if (config.Source.FilePath is not { } path)
        {
            return Problem(409, "llm-mux runs on the embedded default config; there is no file to replace (run llm-mux init)");
        }

        var yaml = await ReadTextAsync(request).ConfigureAwait(false);
        try
        {
            ConfigLoader.Parse(yaml, "request body");
        }
        catch (ConfigException ex)
        {
            return Results.Json(new ValidationView(false, ex.Errors), ManagementJsonContext.Default.ValidationView, statusCode: 400);
        }

        await LlmMux.Accounts.Store.AtomicFile.WriteAsync(path, System.Text.Encoding.UTF8.GetBytes(yaml), request.HttpContext.RequestAborted).ConfigureAwait(false);
        var error = config.Reload();
        return error is null
            ? Results.Json(new ConfigView(path, yaml, config.Current.Revision, null), ManagementJsonContext.Default.ConfigView)
            : Results.Json(new ValidationView(false, [error]), ManagementJsonContext.Default.ValidationView, statusCode: 400);
    }

    private static async Task<string> ReadTextAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        return await reader.ReadToEndAsync(request.HttpContext.RequestAborted).ConfigureAwait(false);
    }

    private static IResult Problem(int status, string message)
        => Results.Json(new ErrorView(new ErrorBody(message, status)), ManagementJsonContext.Default.ErrorView, statusCode: status);
}

/// <param name="Provider">Null for a login account that serves no provider now (disabled, expired, or no provider of its type).</param>
/// <param name="ExpiresAt">Access-token expiry of a login account (refreshed before it passes); null for keys and copilot.</param>
internal sealed record AccountView(
    string Id, string? Provider, string Type, string State, DateTimeOffset? CooldownUntil, IReadOnlyDictionary<string, DateTimeOffset> ModelCooldowns,
    long InFlight, long RequestsLastMinute, long RequestsLastHour, long RequestsLastDay, long TokensLastDay, long? LearnedRequestsPerMinute, string? LastError,
    DateTimeOffset? ExpiresAt);

internal sealed record QuotaView(string Id, string State, DateTimeOffset? CooldownUntil, IReadOnlyDictionary<string, DateTimeOffset> ModelCooldowns, long? LearnedRequestsPerMinute);

internal sealed record ConfigView(string? Path, string Yaml, int Revision, string? LastReloadError);

internal sealed record ValidationView(bool Valid, IReadOnlyList<string> Errors);

internal sealed record ErrorView(ErrorBody Error);

internal sealed record ErrorBody(string Message, int Code);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(List<AccountView>))]
[JsonSerializable(typeof(List<QuotaView>))]
[JsonSerializable(typeof(IReadOnlyList<UsageRow>))]
[JsonSerializable(typeof(IReadOnlyList<RequestRecord>))]
[JsonSerializable(typeof(ConfigView))]
[JsonSerializable(typeof(ValidationView))]
[JsonSerializable(typeof(ErrorView))]
internal sealed partial class ManagementJsonContext : JsonSerializerContext;
