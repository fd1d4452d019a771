using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace LlmMux.Translation.Tests;

/// <summary>OpenAI and Copilot refuse a <c>user</c> above 64 characters; Claude Code's <c>metadata.user_id</c> is
/// a ~150-character JSON object, so a translated one must fit and stay stable per user.</summary>
public sealed class OpenAIUserFieldTests
{
    private const string ClaudeCodeUserId = """{"device_id":"ee223b2ff0d93eea89d973de8745297371629d9b660a483fa272a5e97d8fc218","account_uuid":"","session_id":"4d26e8fa-f6b2-40b6-bdb0-1a49d0c6a1ab"}""";

    [Theory]
    [InlineData(Dialect.OpenAIChat)]
    [InlineData(Dialect.OpenAIResponses)]
    [InlineData(Dialect.OpenAICompletions)]
    public void A_long_anthropic_user_id_reaches_the_openai_family_as_its_64_character_sha256(Dialect to)
    {
        var user = UserSentTo(to, ClaudeCodeUserId);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ClaudeCodeUserId))), user);
        Assert.Equal(64, user!.Length);
    }

    [Fact]
    public void A_short_user_id_goes_as_it_is() => Assert.Equal("user-1234", UserSentTo(Dialect.OpenAIChat, "user-1234"));

    private static string? UserSentTo(Dialect to, string userId)
    {
        var body = $$"""{"model":"m","max_tokens":16,"metadata":{"user_id":{{JsonValue.Create(userId).ToJsonString()}}},"messages":[{"role":"user","content":"hi"}]}""";
        var sent = Translator.Default.TranslateRequest(Encoding.UTF8.GetBytes(body), Dialect.Anthropic, to, new RequestOverrides { Model = "m" });
        return JsonNode.Parse(sent)!["user"]?.GetValue<string>();
    }
}
