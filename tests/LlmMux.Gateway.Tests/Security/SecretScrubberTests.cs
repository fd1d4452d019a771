using LlmMux.Gateway.Security;

namespace LlmMux.Gateway.Tests.Security;

public sealed class SecretScrubberTests
{
    [Theory]
    [InlineData("Incorrect API key provided: sk-proj-****abcd. You can find your API key at https://platform.openai.com.", "Incorrect API key provided: [redacted]. You can find your API key at https://platform.openai.com.")]
    [InlineData("Incorrect API key provided: sk-proj-********************************************************************************************************************************************************Ab1z.", "Incorrect API key provided: [redacted].")]
    [InlineData("key sk-abc123DEF456ghi789JKL was rejected", "key [redacted] was rejected")]
    [InlineData("invalid x-api-key sk-ant-api03-AbCdEf_GhIjK-LmNoPq", "invalid x-api-key [redacted]")]
    [InlineData("API key not valid: AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW", "API key not valid: [redacted]")]
    [InlineData("token ya29.a0AfH6SMBx-yz_123.abc expired", "token [redacted] expired")]
    [InlineData("Authorization: Bearer abc.DEF-123_xyz/+= was refused", "Authorization: Bearer [redacted] was refused")]
    [InlineData("authorization: bearer sk-live-token", "authorization: bearer [redacted]")]
    [InlineData("GET /v1/models?key=secret123&alt=sse failed", "GET /v1/models?key=[redacted]&alt=sse failed")]
    [InlineData("url https://x.example/?api_key=abc&access_token=ya29.zzz", "url https://x.example/?api_key=[redacted]&access_token=[redacted]")]
    [InlineData("bad credentials gho_16C7e42F292c6912E7710c838347Ae178B4a and ghu_16C7e42F292c6912E7710c838347Ae178B4a", "bad credentials [redacted] and [redacted]")]
    [InlineData("pat ghp_abcdefghijklmnopqrstuvwxyz0123456789", "pat [redacted]")]
    [InlineData("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk rejected", "jwt [redacted] rejected")]
    public void Key_shaped_substrings_are_redacted(string text, string expected)
        => Assert.Equal(expected, SecretScrubber.Scrub(text));

    [Theory]
    [InlineData("")]
    [InlineData("The model `gpt-4o` does not exist or you do not have access to it.")]
    [InlineData("This is a risk-free task-based answer; sk-learn is a library.")]
    [InlineData("Quota exceeded for quota metric 'Generate Content API requests per minute'.")]
    [InlineData("{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}")]
    public void Ordinary_error_text_is_left_alone(string text)
        => Assert.Equal(text, SecretScrubber.Scrub(text));

    [Fact]
    public void Hostile_text_is_scrubbed_in_linear_time()
    {
        // Inputs built to make a backtracking pattern rescan each run from every position inside it; a quadratic
        // pattern would take minutes on these, a linear one milliseconds (no timing assertion: it just has to end).
        foreach (var unit in new[] { "eyJ-", "eyJa.", "sk-", "key=", "Bearer ", "ya29.", "AIza", "gho_", "eyJ" })
        {
            var text = string.Concat(Enumerable.Repeat(unit, 200_000 / unit.Length));
            Assert.NotNull(SecretScrubber.Scrub(text));
        }
    }
}
