using Microsoft.ML.Tokenizers;

namespace LlmMux.Gateway.Ingress;

/// <summary>
/// The tokenizers of OpenAI's model families, from the Microsoft.ML.Tokenizers data packages compiled into the
/// binary (nothing is downloaded): <c>o200k_base</c> for GPT-4o, GPT-4.1, GPT-5, the o-series and Codex models,
/// <c>cl100k_base</c> for GPT-4 and GPT-3.5. Each is loaded on first use (measured in the AOT binary: about 50 MB and 1 s for o200k) and
/// kept; a model outside these families has none, and its count stays an estimate.
/// </summary>
internal static class OpenAITokenizers
{
    private static readonly Lazy<Tokenizer> O200k = new(() => TiktokenTokenizer.CreateForEncoding("o200k_base"));
    private static readonly Lazy<Tokenizer> Cl100k = new(() => TiktokenTokenizer.CreateForEncoding("cl100k_base"));

    private static readonly string[] O200kFamilies = ["gpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "gpt-oss", "chatgpt-4o", "o1", "o3", "o4", "codex"];
    private static readonly string[] Cl100kFamilies = ["gpt-4", "gpt-3.5", "gpt-35"];

    public static Tokenizer? For(string model)
    {
        if (O200kFamilies.Any(f => model.StartsWith(f, StringComparison.OrdinalIgnoreCase)))
        {
            return O200k.Value;
        }

        return Cl100kFamilies.Any(f => model.StartsWith(f, StringComparison.OrdinalIgnoreCase)) ? Cl100k.Value : null;
    }
}
