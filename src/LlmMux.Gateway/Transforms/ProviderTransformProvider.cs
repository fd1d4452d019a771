using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Forwarding;
using LlmMux.Translation;
using Yarp.ReverseProxy.Transforms.Builder;

namespace LlmMux.Gateway.Transforms;

/// <summary>
/// Gives every hidden provider route the llm-mux transforms. Client headers are not copied wholesale and no
/// X-Forwarded-* headers are added: the upstream sees the account, not the client; the client sees only the upstream
/// response headers of <see cref="ResponseHeaderAllowList"/>.
/// </summary>
internal sealed class ProviderTransformProvider(GatewayConfigStore config, TimeProvider time, LlmMux.Accounts.Refresh.ICredentialProvider credentials, Translator translator, Quota.QuotaStateStore quota, Quota.QuotaPoller quotaPoller) : ITransformProvider
{
    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context)
    {
        if (context.Route.Metadata?.GetValueOrDefault(ProviderRoutes.KindKey) != ProviderRoutes.ProviderKind)
        {
            return;
        }

        context.CopyRequestHeaders = false;
        context.CopyResponseHeaders = false;
        context.UseDefaultForwarders = false;
        context.RequestTransforms.Add(new UpstreamRequestTransform(config, credentials, translator));
        // Read from the route, not the config: a changed flag changes the route, which makes YARP build its transforms anew.
        var forwardRateLimits = context.Route.Metadata?.GetValueOrDefault(ProviderRoutes.ForwardRateLimitsKey) == "true";
        context.ResponseTransforms.Add(new ResponseHeaderAllowList(forwardRateLimits));
        context.ResponseTransforms.Add(new Quota.QuotaHeaderTransform(quota, quotaPoller));
        context.ResponseTransforms.Add(new UpstreamResponseTransform(time, translator));
    }
}
