namespace LlmMux.Gateway.Management;

/// <summary>A management error: <c>{"error":{"message":…,"code":…}}</c>.</summary>
internal sealed record ErrorView(ErrorBody Error);

internal sealed record ErrorBody(string Message, int Code);
