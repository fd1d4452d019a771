using System.Net;
using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Security;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Tests.Security;

public sealed class ClientKeyHandlerTests
{
    private static DefaultHttpContext From(string address, string? key = null)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(address);
        if (key is not null)
        {
            context.Request.Headers.Authorization = "Bearer " + key;
        }

        return context;
    }

    private static GatewaySnapshot Snapshot(string yaml) => new(ConfigLoader.Parse(yaml, "t.yaml"), 1);

    [Fact]
    public void Without_keys_only_loopback_clients_get_in_unless_remote_is_allowed()
    {
        var open = Snapshot("api-keys: []\n");
        Assert.Null(ClientKeyHandler.Check(From("127.0.0.1"), open));
        Assert.Null(ClientKeyHandler.Check(From("::1"), open));
        Assert.Equal(403, ClientKeyHandler.Check(From("192.168.1.20"), open)!.Status);
        Assert.Null(ClientKeyHandler.Check(From("192.168.1.20"), Snapshot("allow-unauthenticated-remote: true\n")));
    }

    [Fact]
    public void With_keys_every_client_needs_one_of_them_loopback_included()
    {
        var keyed = Snapshot("api-keys: [alpha, beta]\n");
        Assert.Equal(401, ClientKeyHandler.Check(From("127.0.0.1"), keyed)!.Status);
        Assert.Equal(401, ClientKeyHandler.Check(From("10.0.0.1", "alph"), keyed)!.Status);
        Assert.Null(ClientKeyHandler.Check(From("10.0.0.1", "beta"), keyed));
    }
}
