using LlmMux.Gateway.Security;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Tests.Security;

public sealed class RelayTokenTests
{
    [Fact]
    public void Only_this_hosts_token_marks_a_relayed_request()
    {
        var mine = new RelayToken();
        var other = new RelayToken();
        Assert.True(mine.IsRelayed(With(mine.Value)));
        Assert.False(mine.IsRelayed(With(other.Value)));
        Assert.False(mine.IsRelayed(With("")));
        Assert.False(mine.IsRelayed(new DefaultHttpContext().Request));
    }

    private static HttpRequest With(string token)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers[RelayToken.HeaderName] = token;
        return context.Request;
    }
}
