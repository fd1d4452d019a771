using LlmMux.Translation.Ir;

namespace LlmMux.Gateway.Telemetry;

/// <summary>One client request as usage sees it at its end.</summary>
/// <param name="Account">The destination id of the account that answered last, if any.</param>
/// <param name="Attribution">The client program and conversation the request came from.</param>
/// <param name="ClientKey">The id of the client key it came with (<c>key-</c> and 8 hex digits of its hash), never the key.</param>
/// <param name="FirstByte">From the start to the first byte sent to the client; null when none was sent.</param>
internal readonly record struct FinishedRequest(
    string Dialect, string Model, string ModelLabel, string? Provider, string? Account, int Status, int Attempts, TimeSpan Elapsed, IrUsage? Usage,
    Ingress.ClientAttribution Attribution = default, IReadOnlyList<Management.AttemptStep>? Chain = null, string? ClientKey = null,
    TimeSpan? FirstByte = null);
