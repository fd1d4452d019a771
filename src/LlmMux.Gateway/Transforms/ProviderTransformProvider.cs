using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Forwarding;
using Yarp.ReverseProxy.Transforms.Builder;

namespace LlmMux.Gateway.Transforms;

/// <summary>
/// Gives every hidden provider route the llm-mux transforms. Client headers are not copied wholesale and no
/// X-Forwarded-* headers are added: the upstream sees the account, not the client.
/// </summary>
internal sealed class ProviderTransformProvider(GatewayConfigStore config, TimeProvider time, LlmMux.Accounts.Refresh.ICredentialProvider credentials) : ITransformProvider
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
        context.UseDefaultForwarders = false;
        context.RequestTransforms.Add(new UpstreamRequestTransform(config, credentials));
        context.ResponseTransforms.Add(new UpstreamResponseTransform(time));
    }
}
