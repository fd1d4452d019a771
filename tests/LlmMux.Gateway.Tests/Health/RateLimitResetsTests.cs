using System.Net.Http.Headers;
using LlmMux.Gateway.Health;

namespace LlmMux.Gateway.Tests.Health;

public sealed class RateLimitResetsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private static HttpResponseHeaders Headers(params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage();
        foreach (var (name, value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response.Headers;
    }

    [Fact]
    public void Retry_after_seconds_win()
        => Assert.Equal(Now.AddSeconds(17), RateLimitResets.Find(Headers(("Retry-After", "17"), ("x-ratelimit-reset-requests", "5s")), "", Now));

    [Fact]
    public void Retry_after_as_a_date_is_honoured_however_far_away()
        => Assert.Equal(new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.Zero),
            RateLimitResets.Find(Headers(("Retry-After", "Mon, 30 Nov 2026 08:00:00 GMT")), "", Now));

    [Fact]
    public void Openai_reset_durations_use_the_exhausted_limit()
        => Assert.Equal(Now.AddMinutes(6).AddSeconds(1.5), RateLimitResets.Find(Headers(
            ("x-ratelimit-remaining-requests", "10"), ("x-ratelimit-reset-requests", "20ms"),
            ("x-ratelimit-remaining-tokens", "0"), ("x-ratelimit-reset-tokens", "6m1.5s")), "", Now));

    [Fact]
    public void Anthropic_reset_timestamps_are_read()
        => Assert.Equal(new DateTimeOffset(2026, 11, 28, 12, 5, 0, TimeSpan.Zero), RateLimitResets.Find(Headers(
            ("anthropic-ratelimit-requests-remaining", "0"), ("anthropic-ratelimit-requests-reset", "2026-11-28T12:05:00Z"),
            ("anthropic-ratelimit-tokens-remaining", "5000"), ("anthropic-ratelimit-tokens-reset", "2026-11-28T12:00:30Z")), "", Now));

    [Fact]
    public void Gemini_retry_info_in_the_body_is_read()
        => Assert.Equal(Now.AddSeconds(37.5), RateLimitResets.Find(Headers(),
            """{"error":{"code":429,"status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"37.5s"}]}}""", Now));

    [Fact]
    public void Codex_resets_in_seconds_in_the_body_is_read()
        => Assert.Equal(Now.AddSeconds(172800), RateLimitResets.Find(Headers(),
            """{"error":{"type":"usage_limit_reached","message":"limit","resets_in_seconds":172800}}""", Now));

    [Fact]
    public void Nothing_known_gives_null()
        => Assert.Null(RateLimitResets.Find(Headers(("x-ratelimit-reset-requests", "soon")), "{}", Now));

    private static readonly DateTimeOffset Latest = Now + RateLimitResets.MaxAhead;

    [Theory]
    [InlineData("""{"error":{"details":[{"retryDelay":"1e20s"}]}}""")]
    [InlineData("""{"error":{"details":[{"retryDelay":"100000000000000000000000000000s"}]}}""")]
    [InlineData("""{"error":{"resets_in_seconds":1e300}}""")]
    [InlineData("""{"error":{"resets_in_seconds":99999999999999999999}}""")]
    [InlineData("""{"error":{"resets_at":99999999999}}""")]
    [InlineData("""{"error":{"resets_at":9223372036854775807}}""")]
    [InlineData("""{"error":{"resets_at":99999999999999999999999999}}""")]
    public void Overflowing_body_values_are_clamped_not_thrown(string body)
        => Assert.Equal(Latest, RateLimitResets.Find(Headers(), body, Now));

    [Theory]
    [InlineData("99999999999h")]
    [InlineData("9999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999h")]
    [InlineData("2562047788015216h1m")]
    public void Huge_go_durations_are_clamped(string duration)
        => Assert.Equal(Latest, RateLimitResets.Find(Headers(("x-ratelimit-remaining-tokens", "0"), ("x-ratelimit-reset-tokens", duration)), "", Now));

    [Fact]
    public void A_huge_retry_after_is_clamped()
    {
        Assert.Equal(Latest, RateLimitResets.Find(Headers(("Retry-After", "2147483647")), "", Now));
        Assert.Equal(Latest, RateLimitResets.Find(Headers(("Retry-After", "Fri, 31 Dec 9999 23:59:59 GMT")), "", Now));
        Assert.Equal(DateTimeOffset.MaxValue, RateLimitResets.Find(Headers(("Retry-After", "2147483647")), "", DateTimeOffset.MaxValue.AddSeconds(-5)));
    }

    [Fact]
    public void A_far_anthropic_timestamp_is_clamped()
        => Assert.Equal(Latest, RateLimitResets.Find(Headers(
            ("anthropic-ratelimit-requests-remaining", "0"), ("anthropic-ratelimit-requests-reset", "9999-12-31T23:59:59Z")), "", Now));

    [Fact]
    public void Week_long_resets_are_still_honoured()
    {
        Assert.Equal(Now.AddDays(7), RateLimitResets.Find(Headers(), """{"error":{"resets_in_seconds":604800}}""", Now));
        var at = Now.AddDays(29).ToUnixTimeSeconds();
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(at), RateLimitResets.Find(Headers(), "{\"error\":{\"resets_at\":" + at + "}}", Now));
        Assert.Equal(Now.AddSeconds(1.5e6), RateLimitResets.Find(Headers(), """{"retryDelay":"1.5e6s"}""", Now));
    }

    [Fact]
    public void Googles_quota_reset_delay_of_a_week_is_honoured_as_given()
        => Assert.Equal(Now.AddHours(167).AddMinutes(59).AddSeconds(3), RateLimitResets.Find(Headers(),
            """{"error":{"code":429,"message":"You have exhausted your capacity on this model.","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"QUOTA_EXHAUSTED","domain":"cloudcode-pa.googleapis.com","metadata":{"model":"claude-sonnet-4-5","quotaResetDelay":"167h59m3s","quotaResetTimeStamp":"2026-12-05T11:59:03Z"}},{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"3600s"}]}}""", Now));

    [Fact]
    public void Googles_quota_reset_time_stamp_wins_when_it_is_later()
        => Assert.Equal(new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero), RateLimitResets.Find(Headers(),
            """{"error":{"details":[{"metadata":{"quotaResetDelay":"1h","quotaResetTimeStamp":"2026-12-05T12:00:00Z"}}]}}""", Now));
}
