using LlmMux.Accounts.Store;
using System.Text;
using LlmMux.Gateway.Cluster;
using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Health;
using LlmMux.Gateway.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
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
        var group = endpoints.MapGroup("/v0/management").AsManagement()
            .RequireAuthorization(new AuthorizeAttribute { AuthenticationSchemes = ManagementSecretHandler.SchemeName });
        group.MapGet("/accounts", Accounts);
        group.MapGet("/quota", Quota);
        group.MapGet("/usage", UsageAsync);
        group.MapGet("/requests", RequestsAsync);
        group.MapGet("/activity", Activity);
        group.MapGet("/config", GetConfig);
        group.MapPut("/config", PutConfigAsync);
        group.MapPost("/config/validate", ValidateAsync);
        group.MapAccountAdministration();
        group.MapModelChains();
        group.MapCluster();
        LlmMux.Gateway.Connect.ConnectEndpoints.MapConnect(group);
        return endpoints;
    }

    // In a cluster, the fleet's (from Redis); alone, or while Redis is away, this replica's. The header says which.
    private static async Task<IResult> UsageAsync(HttpContext context, UsageLedger ledger)
    {
        var fleet = context.RequestServices.GetService<LlmMux.Gateway.Cluster.FleetUsage>() is { } shared ? await shared.RowsAsync() : null;
        context.Response.Headers[ScopeHeader] = fleet is null ? "replica" : "fleet";
        return Results.Json(fleet ?? ledger.Rows(), ManagementJsonContext.Default.IReadOnlyListUsageRow);
    }

    private static async Task<IResult> RequestsAsync(HttpContext context, RequestLog log, int? limit)
    {
        var count = Math.Clamp(limit ?? 100, 1, RequestLog.Capacity);
        var fleet = context.RequestServices.GetService<LlmMux.Gateway.Cluster.FleetRequests>() is { } shared ? await shared.RecentAsync(count) : null;
        context.Response.Headers[ScopeHeader] = fleet is null ? "replica" : "fleet";
        return Results.Json(fleet ?? log.Recent(count), ManagementJsonContext.Default.IReadOnlyListRequestRecord);
    }

    // This replica's alone: the fleet's streams are not shared, and each replica answers for itself.
    private static IResult Activity(HttpContext context, Telemetry.GatewayMetrics metrics, RequestLog log, RedisLink link, TimeProvider time)
    {
        var own = InstanceActivity.Of(link.Enabled ? link.InstanceId : "", metrics, log, time.GetUtcNow());
        var others = context.RequestServices.GetService<LlmMux.Gateway.Cluster.FleetLoad>()?.OthersActivity;
        context.Response.Headers[ScopeHeader] = others is null ? "replica" : "fleet";
        var fleet = others?.Aggregate(own, (sum, o) => sum.Plus(o)) ?? own;
        var view = new ActivityView(fleet.ActiveStreams, fleet.RequestsInFlight, link.Enabled ? link.InstanceId : null, fleet.LastHour, fleet.LastDay,
            others is null ? null : [.. (own.IsIdle ? others : others.Prepend(own)).OrderBy(o => o.Instance, StringComparer.Ordinal)]);
        return Results.Json(view, ManagementJsonContext.Default.ActivityView);
    }

    /// <summary>On the usage and request log answers: <c>fleet</c> when they cover every replica, <c>replica</c> when only this one.</summary>
    internal const string ScopeHeader = "X-LlmMux-Scope";

    private static IResult Accounts(GatewayConfigStore config, AccountStateStore states, IProxyStateLookup proxy, AccountStore logins, LlmMux.Accounts.Refresh.CredentialService credentials, LlmMux.Gateway.Quota.QuotaStateStore quotas, IServiceProvider services)
    {
        var fleet = services.GetService<LlmMux.Gateway.Health.IFleetLoad>();
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
                    status.TokensLastDay, status.LearnedRequestsPerMinute, status.LastError, login?.Expiry,
                    login is null ? null : RefreshView.Of(credentials.GetRefreshStatus(login.Id)),
                    QuotaWindowView.Of(quotas.Get(LlmMux.Gateway.Quota.QuotaPoller.KeyFor(account)), states.Time.GetUtcNow()), login?.Id,
                    fleet is null ? null : FleetLoadView.Of(inFlight, status, fleet.Others(account.DestinationId))));
            }
        }

        // Disabled or expired login accounts serve nowhere, yet the user must see them to enable them or log in again.
        foreach (var login in logins.Accounts.Where(a => !served.Contains(a.Id)))
        {
            rows.Add(new AccountView(login.Id, Provider: null, login.Type, login.State.ToString().ToLowerInvariant(), null, System.Collections.ObjectModel.ReadOnlyDictionary<string, DateTimeOffset>.Empty,
                0, 0, 0, 0, 0, null, login.StateReason, login.Expiry, RefreshView.Of(credentials.GetRefreshStatus(login.Id)), QuotaWindowView.Of(quotas.Get(login.Id), states.Time.GetUtcNow()), login.Id));
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
    {
        var text = config.Source.ReadText();
        var secrets = ConfigRedaction.Secrets(text);
        var error = config.LastError is { } e ? ConfigRedaction.Scrub(e, secrets) : null;
        return Results.Json(new ConfigView(config.Source.FilePath, ConfigRedaction.Redact(text), config.Current.Revision, error), ManagementJsonContext.Default.ConfigView);
    }

    private static async Task<IResult> ValidateAsync(HttpRequest request, GatewayConfigStore config)
    {
        if (await ReadTextAsync(request).ConfigureAwait(false) is not { } yaml)
        {
            return ManagementBody.TooLarge(ManagementBody.MaxConfigBytes);
        }

        var secrets = ConfigRedaction.Secrets(config.Source.ReadText());
        try
        {
            config.Check(ConfigRedaction.Restore(yaml, secrets, RequestBody), RequestBody);
            return Results.Json(new ValidationView(true, []), ManagementJsonContext.Default.ValidationView);
        }
        catch (ConfigException ex)
        {
            return Invalid(ex, secrets);
        }
    }

    /// <summary>
    /// Restores redaction markers, validates exactly as a reload would, refuses guarded changes (<see cref="EndpointChanges"/>)
    /// unless the file on disk allows them, then writes the file atomically and applies it through the same reload a
    /// file edit gets.
    /// </summary>
    /// <remarks>
    /// Read, restore, validate, diff, write and reload run under the store's replace lease. Read outside it, two PUTs
    /// could each be judged against the file before the other's write: one that turns allow-endpoint-changes off and
    /// one, read while it was on, that changes an endpoint would both pass, and the second would write its endpoint
    /// (and its own copy of the flag) over the lockdown. Under the lease the second PUT reads the first one's file. A
    /// direct edit cannot take the lease; the store reads the file again just before writing and refuses (409) when
    /// it is not the text that was judged.
    /// </remarks>
    private static async Task<IResult> PutConfigAsync(HttpRequest request, GatewayConfigStore config, ILoggerFactory loggers)
    {
        if (config.Source.FilePath is not { } path)
        {
            return Problem(409, "llm-mux runs on the embedded default config; there is no file to replace (run llm-mux init)");
        }

        if (await ReadTextAsync(request).ConfigureAwait(false) is not { } yaml)
        {
            return ManagementBody.TooLarge(ManagementBody.MaxConfigBytes);
        }

        using var lease = await config.BeginReplaceAsync(request.HttpContext.RequestAborted).ConfigureAwait(false);
        var currentText = lease.FileText;
        var secrets = ConfigRedaction.Secrets(currentText);
        string restored;
        LlmMuxOptions next;
        try
        {
            restored = ConfigRedaction.Restore(yaml, secrets, RequestBody);
            // Compared as the files say, before flags and environment: those apply to both alike, and an override
            // (--host, LLM_MUX_API_KEYS) would otherwise look like a change the body made.
            next = config.Check(restored, RequestBody).FileOptions;
        }
        catch (ConfigException ex)
        {
            return Invalid(ex, secrets);
        }

        var current = CurrentFileOptions(currentText, config);
        var changes = EndpointChanges.Between(current, next);
        var logger = loggers.CreateLogger("LlmMux.Gateway.Management");
        if (changes.Count > 0 && !current.Management.AllowEndpointChanges)
        {
            ManagementLog.EndpointChangeRefused(logger, string.Join(", ", changes));
            return Problem(403, $"changing where credentials are sent or who can reach the gateway needs management.allow-endpoint-changes: true in the file itself; refused: {string.Join(", ", changes)}");
        }

        // Past this point the request's abort no longer matters: a write begun is finished and applied or rolled back.
        var result = await config.ReplaceAsync(lease, restored).ConfigureAwait(false);
        if (result.FileChanged)
        {
            return Problem(409, "the config file changed on disk while this PUT was checked; nothing was written (GET it again)");
        }

        if (result.Error is { } error)
        {
            return Results.Json(new ValidationView(false, [ConfigRedaction.Scrub(error, secrets)]), ManagementJsonContext.Default.ValidationView, statusCode: 400);
        }

        if (changes.Count > 0)
        {
            ManagementLog.EndpointsChanged(logger, string.Join(", ", changes));
        }

        return Results.Json(new ConfigView(path, ConfigRedaction.Redact(config.Source.ReadText()), config.Current.Revision, null), ManagementJsonContext.Default.ConfigView);
    }

    private const string RequestBody = "request body";

    /// <summary>
    /// The file on disk decides, not the PUT body; when it does not parse (a broken edit is on disk) the config in
    /// effect stands in, whose endpoint keys and flag came from the last good file. That one has flags and environment
    /// applied, so a --host or LLM_MUX_API_KEYS override can then read as a guarded change: refusing errs the safe way.
    /// </summary>
    private static LlmMuxOptions CurrentFileOptions(string text, GatewayConfigStore config)
    {
        try
        {
            return ConfigLoader.Parse(text, config.Source.DisplayName);
        }
        catch (ConfigException)
        {
            return config.Current.Options;
        }
    }

    private static IResult Invalid(ConfigException ex, IReadOnlyList<string> secrets)
        => Results.Json(new ValidationView(false, ex.Errors.Select(e => ConfigRedaction.Scrub(e, secrets)).ToList()), ManagementJsonContext.Default.ValidationView, statusCode: 400);

    /// <summary>The body as text, or null when it is over <see cref="ManagementBody.MaxConfigBytes"/>.</summary>
    private static async Task<string?> ReadTextAsync(HttpRequest request)
        => await ManagementBody.ReadAsync(request, ManagementBody.MaxConfigBytes).ConfigureAwait(false) is { } bytes ? Encoding.UTF8.GetString(bytes) : null;

    internal static IResult Problem(int status, string message)
        => Results.Json(new ErrorView(new ErrorBody(message, status)), ManagementJsonContext.Default.ErrorView, statusCode: status);
}
