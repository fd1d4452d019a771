namespace LlmMux.Gateway.Management;

/// <summary>The answer to a config check: valid, or every error (secrets scrubbed).</summary>
internal sealed record ValidationView(bool Valid, IReadOnlyList<string> Errors);
