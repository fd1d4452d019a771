namespace LlmMux.Translation;

/// <summary>One public endpoint a dialect serves to its clients.</summary>
/// <param name="Name">Stable name, unique across dialects (the gateway's route id is built from it).</param>
/// <param name="Path">Route path pattern (ASP.NET Core route template).</param>
/// <param name="Kind">Where model and stream flag come from.</param>
/// <param name="StreamsByDefault">The dialect streams unless told <c>"stream": false</c> (Ollama).</param>
/// <param name="LoopbackOnly">Answered for loopback callers only (Code Assist, like Google's own endpoint).</param>
public sealed record DialectRoute(string Name, string Path, IngressKind Kind = IngressKind.Generate, bool StreamsByDefault = false, bool LoopbackOnly = false);
