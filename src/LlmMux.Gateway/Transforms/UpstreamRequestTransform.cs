using System.Net.Http.Headers;
using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Ingress;
using LlmMux.Gateway.Providers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Model;
using Yarp.ReverseProxy.Transforms;

namespace LlmMux.Gateway.Transforms;

/// <summary>
/// Builds the upstream request for the chosen account: the provider's path, its body (pass-through or translated),
/// a deliberate set of headers and the account's credential. Runs once per attempt.
/// </summary>
internal sealed class UpstreamRequestTransform(GatewayConfigStore config) : RequestTransform
{
    /// <summary>Client headers worth passing on; everything else (client keys, cookies, encodings, identity) stays here.</summary>
    private static readonly string[] ForwardedClientHeaders = ["Accept", "User-Agent", "OpenAI-Beta"];

    public override ValueTask ApplyAsync(RequestTransformContext context)
    {
        var http = context.HttpContext;
        var request = http.Features.GetRequiredFeature<LlmRequestFeature>();
        var target = request.Target ?? throw new InvalidOperationException("no provider chosen for this attempt");
        var destination = http.GetReverseProxyFeature().ProxiedDestination
            ?? throw new InvalidOperationException("no account chosen for this attempt");
        var account = request.Snapshot.FindAccount(destination.DestinationId) ?? config.Current.FindAccount(destination.DestinationId)
            ?? throw new InvalidOperationException($"account {destination.DestinationId} is no longer configured");

        var body = UpstreamBody(request, target.Provider, target.UpstreamModel);
        http.Request.Body = new MemoryStream(body.ToArray(), writable: false);
        var content = context.ProxyRequest.Content ?? throw new InvalidOperationException("the request has no body");
        content.Headers.ContentLength = body.Length;
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        context.Path = UpstreamPath(target.Provider);
        context.Query.Collection.Clear();

        var headers = context.ProxyRequest.Headers;
        foreach (var name in ForwardedClientHeaders)
        {
            if (http.Request.Headers.TryGetValue(name, out var value))
            {
                headers.TryAddWithoutValidation(name, (IEnumerable<string>)value);
            }
        }

        foreach (var (name, value) in (IEnumerable<KeyValuePair<string, string>>)target.Provider.Headers)
        {
            headers.Remove(name);
            headers.TryAddWithoutValidation(name, value);
        }

        if (account.ApiKey is { } key)
        {
            headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return ValueTask.CompletedTask;
    }

    private static ReadOnlyMemory<byte> UpstreamBody(LlmRequestFeature request, ProviderDefinition provider, string upstreamModel)
    {
        if (provider.Kind != ProviderKind.OpenAI || request.Ingress.Format != IngressRoute.OpenAIChatFormat)
        {
            throw new NotSupportedException($"no translation from {request.Ingress.Format} to provider type {provider.Kind.Type} yet");
        }

        return upstreamModel == request.Model ? request.Body : ModelFieldRewriter.Rewrite(request.Body, upstreamModel);
    }

    private static PathString UpstreamPath(ProviderDefinition provider) => provider.Kind.Type switch
    {
        "openai" => "/chat/completions",
        _ => throw new NotSupportedException($"provider type {provider.Kind.Type} is not served yet"),
    };
}
