using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace LlmMux.Gateway.Security;

internal static class BrowserPolicyServiceCollectionExtensions
{
    /// <summary>ASP.NET Core's CORS services with the config-driven policy of <see cref="ConfigCorsPolicyProvider"/>.</summary>
    public static IServiceCollection AddLlmMuxBrowserPolicy(this IServiceCollection services)
    {
        services.AddCors();
        services.Replace(ServiceDescriptor.Singleton<ICorsPolicyProvider, ConfigCorsPolicyProvider>());
        return services;
    }
}
