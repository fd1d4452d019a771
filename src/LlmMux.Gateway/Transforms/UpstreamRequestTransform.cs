using System.IO.Pipelines;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using LlmMux.Accounts.Refresh;
using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Errors;
using LlmMux.Gateway.Forwarding;
using LlmMux.Gateway.Ingress;
using LlmMux.Gateway.Providers;
using LlmMux.Gateway.Routing;
using LlmMux.Translation;
using LlmMux.Translation.Ir;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Model;
using Yarp.ReverseProxy.Transforms;

namespace LlmMux.Gateway.Transforms;

/// <summary>
/// Builds the upstream request for the chosen account: the provider's path, its body (pass-through when the client
/// speaks the provider's dialect, else encoded from the IR), a deliberate set of headers and the account's
/// credential. Runs once per attempt, so a failover to a provider of another dialect gets its own body.
/// </summary>
internal sealed class UpstreamRequestTransform(GatewayConfigStore config, ICredentialProvider credentials, Translator translator) : RequestTransform
{
    private static readonly ProductInfoHeaderValue GatewayAgent = new("llm-mux", "0.1");

    public override async ValueTask ApplyAsync(RequestTransformContext context)
    {
        var http = context.HttpContext;
        var attempt = http.Features.GetRequiredFeature<AttemptFeature>();
        var (request, target) = (attempt.Request, attempt.Target);
        var destination = http.GetReverseProxyFeature().ProxiedDestination
            ?? throw new InvalidOperationException("no account chosen for this attempt");
        var account = attempt.ResolveAccount(destination.DestinationId, config.Current);
        var protocol = target.Protocol;
        var sameDialect = protocol.Dialect == request.Ingress.Format;
        UpstreamCredential? login = null;
        if (account.PassThrough)
        {
            login = PassThrough.Find(http.Request, target.Provider.Kind)
                ?? throw new UpstreamRequestException(ApiError.PassThroughMissing(target.Provider.Name));
        }
        else if (account.LoginAccountId is { } loginId)
        {
            login = await credentials.GetAsync(loginId, http.RequestAborted).ConfigureAwait(false);
            attempt.LoginToken = login.AccessToken;
        }

        var upstreamStreams = request.Stream || (protocol.AlwaysStreams && !request.IsCountTokens && request.Operation is null);
        var asked = new RequestOverrides { Model = target.UpstreamModel, Reasoning = ToIr(request.Route.Reasoning) ?? ThinkingBudgetFloor.For(request, protocol), Stream = upstreamStreams };
        var overrides = protocol.ClientHeaderOverrides(
            request.IsCountTokens ? protocol.CountTokensOverrides(asked, login) : protocol.BodyOverrides(asked, login, upstreamStreams),
            http.Request.Headers);
        if (!request.IsCountTokens)
        {
            // A token count takes no generation fields: payload rules shape generation bodies only.
            overrides = request.Snapshot.Payload.Apply(overrides, request.Model, target.UpstreamModel, request.Ingress.Format, target.Provider.Kind.Type);
        }

        RequestBody body;
        try
        {
            body = request.Operation is { } operation
                ? Operations.OperationUpstream.Body(operation, request, target, translator)
                : UpstreamBody(request, target, protocol, sameDialect, overrides);
        }
        catch (Exception ex) when (ex is TranslationException or System.Text.Json.JsonException or InvalidOperationException or FormatException)
        {
            // The client's body cannot be made into this upstream's: the request's fault, not the account's.
            throw new UpstreamRequestException(ApiError.InvalidRequestBody($"The request cannot be sent to provider '{target.Provider.Name}': {ex.Message}"), ex);
        }

        // The body goes out segment by segment (slices of the client's bytes, or a pooled encoder buffer) and its
        // buffers go back to the pool when the exchange ends.
        http.Response.RegisterForDispose(body);
        http.Request.Body = PipeReader.Create(body.Sequence).AsStream();
        var content = context.ProxyRequest.Content ?? throw new InvalidOperationException("the request has no body");
        content.Headers.ContentLength = body.Length;
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        context.Query.Collection.Clear();
        context.Path = request.Operation is { } op ? Operations.OperationUpstream.Path(op, protocol, target.UpstreamModel)
            : request.IsCountTokens ? protocol.CountTokensPath(target.UpstreamModel) ?? throw new InvalidOperationException("no native token counter")
            : protocol.GeneratePath(target.UpstreamModel, upstreamStreams);
        protocol.SetQuery(context.Query.Collection, upstreamStreams && !request.IsCountTokens);

        var headers = context.ProxyRequest.Headers;
        if (sameDialect)
        {
            // The client speaks the upstream's language: its protocol headers (versions, betas) mean what they say.
            CopyClientHeaders(http.Request, headers, ["Accept", "User-Agent"]);
            CopyClientHeaders(http.Request, headers, protocol.PassThroughHeaders);
        }
        else
        {
            headers.UserAgent.Add(GatewayAgent);
        }

        foreach (var (name, value) in (IEnumerable<KeyValuePair<string, string>>)target.Provider.Headers)
        {
            headers.Remove(name);
            headers.TryAddWithoutValidation(name, value);
        }

        protocol.SetCredential(headers, account.ApiKey, login);
        if (request.Operation is not null)
        {
            // One JSON answer, whatever a chat upstream's credential step asked for (Codex asks for a stream).
            headers.Accept.Clear();
            headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        }

        // Some logins name their own API host per token (Copilot's seats); the provider type decides.
        if (target.Provider.Kind.BaseUrlFor(login, target.Provider) is { } tokenBase)
        {
            context.DestinationPrefix = tokenBase;
        }
    }

    /// <summary>Same dialect: the client's bytes, spliced only where an override changes them (untouched when only the
    /// model could change and it is the client's, and no replayed signature needs sorting). Otherwise the IR decoded at ingress, encoded once.</summary>
    private RequestBody UpstreamBody(LlmRequest request, RouteTarget target, UpstreamProtocol protocol, bool sameDialect, RequestOverrides overrides)
    {
        if (!sameDialect)
        {
            return translator.EncodeRequestBody(request.Ir!, protocol.Dialect, overrides);
        }

        // A history replaying another upstream's signatures, or Cursor's tool blocks, is never passed on as sent
        // (docs/translation.md, history rules).
        return overrides.OnlyModel && (!protocol.ModelInBody || target.UpstreamModel == request.Model) && !Translator.NeedsHistoryPass(request.Body.Span, protocol.Dialect)
            ? RequestBody.Unchanged(request.Body)
            : translator.TranslateRequestBody(request.Body, protocol.Dialect, protocol.Dialect, overrides);
    }

    /// <summary>A model-name suffix (spec §6) as the IR's reasoning settings; the codecs map it onto each upstream's field.</summary>
    internal static IrReasoningConfig? ToIr(ReasoningRequest? reasoning) => reasoning switch
    {
        null => null,
        { Enabled: false } => new IrReasoningConfig("none", 0),
        { BudgetTokens: { } budget } => new IrReasoningConfig(null, budget),
        { Effort: "max" } => new IrReasoningConfig("xhigh", null),
        { Effort: { } effort } => new IrReasoningConfig(effort, null),
        _ => new IrReasoningConfig("medium", null),
    };

    private static void CopyClientHeaders(HttpRequest from, HttpRequestHeaders to, IReadOnlyList<string> names)
    {
        foreach (var name in names)
        {
            if (from.Headers.TryGetValue(name, out var value))
            {
                to.Remove(name);
                to.TryAddWithoutValidation(name, (IEnumerable<string>)value);
            }
        }
    }
}
