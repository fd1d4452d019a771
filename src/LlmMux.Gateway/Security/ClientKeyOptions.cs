using Microsoft.AspNetCore.Authentication;

namespace LlmMux.Gateway.Security;

/// <summary>The client-key scheme reads everything from the live config; it has no options of its own.</summary>
internal sealed class ClientKeyOptions : AuthenticationSchemeOptions;
