using System.Net;
using LlmMux.Gateway.Tests.EndToEnd;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlmMux.Gateway.Tests.Security;

/// <summary>
/// The endpoint gate is the only authentication stage: WebApplication must not insert its own
/// UseAuthentication + UseAuthorization in front of the pipeline as well (it does when their services are registered
/// and neither was called), which cost every request both stages on top of the gate.
/// </summary>
public sealed class AuthenticationPipelineTests
{
    [Fact]
    public async Task The_frameworks_authentication_middleware_never_runs()
    {
        var schemes = new CountingSchemeProvider();
        await using var gateway = await GatewayFixture.StartAsync(
            "api-keys: [k1]\nproviders: []\n",
            builder => builder.Services.AddSingleton<IAuthenticationSchemeProvider>(sp => schemes.Attach(sp)));
        using var keyed = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        keyed.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "k1");
        Assert.Equal(HttpStatusCode.OK, (await gateway.Client.SendAsync(keyed)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await gateway.Client.GetAsync(new Uri("/v1/models", UriKind.Relative))).StatusCode);

        Assert.True(schemes.SchemeLookups > 0, "the gate resolves its scheme through the provider");
        Assert.Equal(0, schemes.RequestHandlerLookups); // only AuthenticationMiddleware asks for request handlers
    }

    /// <summary>The framework's provider, counting who asks what.</summary>
    private sealed class CountingSchemeProvider
    {
        private Provider? _provider;

        public int RequestHandlerLookups => _provider?.RequestHandlerLookups ?? 0;

        public int SchemeLookups => _provider?.SchemeLookups ?? 0;

        public IAuthenticationSchemeProvider Attach(IServiceProvider services) =>
            _provider = new Provider(services.GetRequiredService<IOptions<AuthenticationOptions>>());

        private sealed class Provider(IOptions<AuthenticationOptions> options) : AuthenticationSchemeProvider(options)
        {
            public int RequestHandlerLookups;
            public int SchemeLookups;

            public override Task<IEnumerable<AuthenticationScheme>> GetRequestHandlerSchemesAsync()
            {
                Interlocked.Increment(ref RequestHandlerLookups);
                return base.GetRequestHandlerSchemesAsync();
            }

            public override Task<AuthenticationScheme?> GetSchemeAsync(string name)
            {
                Interlocked.Increment(ref SchemeLookups);
                return base.GetSchemeAsync(name);
            }
        }
    }
}
