using System.Net.Http;
using System.Net.Sockets;
using LlmMux.Gateway.Forwarding;
using Yarp.ReverseProxy.Forwarder;

namespace LlmMux.Gateway.Tests.Faults;

/// <summary>Which of YARP's forwarder errors are the upstream's (they cool the account) and which are not.</summary>
public sealed class ForwarderErrorClassificationTests
{
    private sealed record Failure(ForwarderError Error, Exception Exception) : IForwarderErrorFeature;

    [Theory]
    [InlineData(ForwarderError.RequestTimedOut, true)]
    [InlineData(ForwarderError.RequestBodyDestination, true)]
    [InlineData(ForwarderError.ResponseBodyDestination, true)]
    [InlineData(ForwarderError.UpgradeRequestDestination, true)]
    [InlineData(ForwarderError.UpgradeResponseDestination, true)]
    [InlineData(ForwarderError.RequestCanceled, false)]
    [InlineData(ForwarderError.RequestBodyCanceled, false)]
    [InlineData(ForwarderError.RequestBodyClient, false)]
    [InlineData(ForwarderError.ResponseBodyCanceled, false)]
    [InlineData(ForwarderError.ResponseBodyClient, false)]
    [InlineData(ForwarderError.UpgradeRequestCanceled, false)]
    [InlineData(ForwarderError.UpgradeRequestClient, false)]
    [InlineData(ForwarderError.UpgradeResponseCanceled, false)]
    [InlineData(ForwarderError.UpgradeResponseClient, false)]
    [InlineData(ForwarderError.UpgradeActivityTimeout, false)]
    [InlineData(ForwarderError.NoAvailableDestinations, false)]
    [InlineData(ForwarderError.RequestCreation, false)]
    public void Each_error_kind_is_held_against_the_upstream_or_not(ForwarderError error, bool upstreamFault)
        => Assert.Equal(upstreamFault, AttemptClassifier.IsUpstreamFault(new Failure(error, new IOException("x"))));

    [Fact]
    public void A_send_failure_counts_only_with_a_connection_cause()
    {
        Assert.True(AttemptClassifier.IsUpstreamFault(new Failure(ForwarderError.Request,
            new HttpRequestException(HttpRequestError.ConnectionError, "refused", new SocketException()))));
        Assert.True(AttemptClassifier.IsUpstreamFault(new Failure(ForwarderError.ResponseHeaders, new IOException("reset"))));
        Assert.False(AttemptClassifier.IsUpstreamFault(new Failure(ForwarderError.Request, new HttpRequestException("Request headers must contain only ASCII characters."))));
        Assert.False(AttemptClassifier.IsUpstreamFault(new Failure(ForwarderError.ResponseHeaders, new InvalidOperationException("a transform threw"))));
    }
}
