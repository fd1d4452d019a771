namespace LlmMux.Gateway.Streaming;

/// <summary>How the upstream behaved while its body was relayed, as the streams saw it.</summary>
internal enum UpstreamStreamFault
{
    None,

    /// <summary>Silent for longer than <c>routing.upstream-idle-timeout</c>.</summary>
    Stalled,

    /// <summary>The connection broke mid-body.</summary>
    Broken,

    /// <summary>One event grew past the framers' maximum size.</summary>
    EventTooLarge,
}

/// <summary>
/// Shared between one attempt's upstream body stream and the passive health policy: the stream ends a stalled or broken
/// upstream with the client dialect's error event (the response has started, so nothing else can be said), and the
/// policy reads what happened to cool the account briefly.
/// </summary>
internal sealed class UpstreamStreamState(TimeSpan idleTimeout)
{
    /// <summary>Silence after which a read gives up; infinite turns the watch off.</summary>
    public TimeSpan IdleTimeout { get; } = idleTimeout;

    public UpstreamStreamFault Fault { get; set; }
}

/// <summary>The upstream sent nothing for longer than the idle timeout.</summary>
internal sealed class UpstreamIdleException : IOException
{
    public UpstreamIdleException()
        : base("The upstream sent nothing for longer than routing.upstream-idle-timeout.")
    {
    }

    public UpstreamIdleException(string message)
        : base(message)
    {
    }

    public UpstreamIdleException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
