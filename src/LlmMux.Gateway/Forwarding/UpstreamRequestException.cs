using LlmMux.Gateway.Errors;

namespace LlmMux.Gateway.Forwarding;

/// <summary>
/// The upstream request could not be built from what the client sent (a body the provider's encoder rejects). The
/// failover loop answers the client with <see cref="Error"/>: no account is cooled, nothing is retried.
/// </summary>
internal sealed class UpstreamRequestException : Exception
{
    public UpstreamRequestException(ApiError error, Exception innerException)
        : base(error.Message, innerException)
    {
        Error = error;
    }

    public UpstreamRequestException(ApiError error)
        : base(error.Message)
    {
        Error = error;
    }

    public UpstreamRequestException()
    {
        Error = new ApiError(400, "invalid_request", "The request cannot be sent upstream.");
    }

    public UpstreamRequestException(string message)
        : base(message)
    {
        Error = new ApiError(400, "invalid_request", message);
    }

    public UpstreamRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
        Error = new ApiError(400, "invalid_request", message);
    }

    public ApiError Error { get; }
}
