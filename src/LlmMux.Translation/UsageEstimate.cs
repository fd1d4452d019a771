using LlmMux.Translation.Ir;

namespace LlmMux.Translation;

/// <summary>
/// Every client reads usage fields its own upstream always sends (Anthropic's input and cache counts, OpenAI's
/// reasoning and cached tokens, Gemini's thoughtsTokenCount), so a translated answer always carries them. Where the
/// upstream reported nothing, or no reasoning count for reasoning it did stream, the numbers are estimated (one token
/// per four characters, as the token-count estimate) and the usage is marked <see cref="IrUsage.Estimated"/>, which
/// the gateway's request log shows. Reported numbers are never replaced.
/// </summary>
public static class UsageEstimate
{
    private const int CharsPerToken = 4;

    /// <summary>The answer with usage present: the upstream's, completed where it lacks what the answer shows.</summary>
    public static IrResponse Complete(IrResponse response, long? estimatedInputTokens)
    {
        ArgumentNullException.ThrowIfNull(response);
        long output = 0, reasoning = 0;
        foreach (var part in response.Parts)
        {
            switch (part)
            {
                case IrText t: output += t.Text.Length; break;
                case IrReasoning r: reasoning += r.Text.Length; break;
                case IrToolCall c: output += c.Name.Length + c.ArgumentsJson.Length; break;
                default: break;
            }
        }

        var usage = Complete(response.Usage, estimatedInputTokens, output + reasoning, reasoning);
        return ReferenceEquals(usage, response.Usage) ? response : response with { Usage = usage };
    }

    /// <param name="outputChars">Characters generated, reasoning included (used only when nothing was reported).</param>
    internal static IrUsage Complete(IrUsage? reported, long? estimatedInputTokens, long outputChars, long reasoningChars)
    {
        if (reported is null)
        {
            return new IrUsage(estimatedInputTokens ?? 0, Tokens(outputChars), ReasoningTokens: Tokens(reasoningChars), Estimated: true);
        }

        if (reported.ReasoningTokens == 0 && reasoningChars > 0)
        {
            // Anthropic counts thinking inside output_tokens without saying how much of it was thinking.
            return reported with { ReasoningTokens = Math.Min(reported.OutputTokens, Tokens(reasoningChars)), Estimated = true };
        }

        return reported;
    }

    private static long Tokens(long chars) => (chars + CharsPerToken - 1) / CharsPerToken;
}

/// <summary>Counts what a translated stream generated, so its usage can be completed when the stream ends.</summary>
internal sealed class StreamUsageCount
{
    private long _output;
    private long _reasoning;

    public void Observe(IrStreamEvent e)
    {
        switch (e)
        {
            case IrTextDelta t: _output += t.Text.Length; break;
            case IrReasoningDelta r: _reasoning += r.Text.Length; break;
            case IrToolCallStart c: _output += c.Name.Length; break;
            case IrToolCallDelta d: _output += d.ArgumentsFragment.Length; break;
            default: break;
        }
    }

    /// <summary>The usage update to send before the client's stream ends, or null when the reported one is complete.</summary>
    public IrUsageUpdate? Completion(IrUsage? reported, long? estimatedInputTokens)
    {
        var usage = UsageEstimate.Complete(reported, estimatedInputTokens, _output + _reasoning, _reasoning);
        return ReferenceEquals(usage, reported) ? null : new IrUsageUpdate(usage);
    }
}
