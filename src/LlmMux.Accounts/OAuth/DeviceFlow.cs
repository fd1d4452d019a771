using System.Text.Json;

namespace LlmMux.Accounts.OAuth;

/// <summary>
/// The OAuth device authorization grant (RFC 8628): ask for a device code, show it, poll the token URL until the user
/// approves. <paramref name="service"/> names the provider in errors (e.g. "GitHub").
/// </summary>
internal static class DeviceFlow
{
    private const string DeviceGrant = "urn:ietf:params:oauth:grant-type:device_code";
    private static readonly TimeSpan SlowDownStep = TimeSpan.FromSeconds(5);

    // Bounds for numbers in the provider's answers: a hostile or broken value is clamped, never turned into a clock
    // overflow. Device codes live about 15 minutes.
    private static readonly TimeSpan MaxPollInterval = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan MaxDeviceCodeLifetime = TimeSpan.FromHours(1);

    public static async Task<DeviceCode> StartAsync(HttpClient http, OAuthSettings settings, string service, CancellationToken ct)
    {
        var step = $"{service} device code";
        var url = settings.DeviceCodeUrl ?? throw new OAuthException($"No device-code URL configured for {service}.");
        var json = await OAuthHttp.PostFormAsync(http, url, [new("client_id", settings.ClientId), new("scope", settings.Scopes)], step, null, ct)
            .ConfigureAwait(false);
        return new DeviceCode(
            OAuthHttp.Required(json, "user_code", step),
            OAuthHttp.Required(json, "verification_uri", step),
            OAuthHttp.Seconds(OAuthHttp.Int64(json, "interval"), MaxPollInterval) ?? TimeSpan.FromSeconds(5),
            OAuthHttp.Seconds(OAuthHttp.Int64(json, "expires_in"), MaxDeviceCodeLifetime) ?? TimeSpan.FromSeconds(900))
        {
            Secret = OAuthHttp.Required(json, "device_code", step),
        };
    }

    /// <summary>
    /// Polls the access-token URL at the device code's interval until the user approves: <c>authorization_pending</c>
    /// keeps polling, <c>slow_down</c> adds 5 s (or takes the interval the server sends), <c>expired_token</c> and
    /// <c>access_denied</c> end the login.
    /// </summary>
    public static async Task<TokenGrant> PollAsync(HttpClient http, OAuthSettings settings, DeviceCode code, string service, TimeProvider time, CancellationToken ct)
    {
        var step = $"{service} device-flow token";
        var interval = code.Interval;
        var deadline = time.GetUtcNow() + code.ExpiresIn;
        while (true)
        {
            await Task.Delay(interval, time, ct).ConfigureAwait(false);
            if (time.GetUtcNow() > deadline)
            {
                throw new OAuthException("The device code expired before it was approved; run the login again.", null, "expired_token");
            }

            JsonElement json;
            try
            {
                json = await OAuthHttp.PostFormAsync(http, settings.TokenUrl,
                [
                    new("client_id", settings.ClientId),
                    new("device_code", code.Secret),
                    new("grant_type", DeviceGrant),
                ], step, null, ct).ConfigureAwait(false);
            }
            catch (OAuthException e) when (e.Error is "authorization_pending" or "slow_down")
            {
                interval = e.Error == "slow_down" ? Min(interval + SlowDownStep, MaxPollInterval) : interval;
                continue;
            }

            switch (OAuthHttp.ErrorCode(json))
            {
                case null:
                    return TokenGrant.Parse(json, step);
                case "authorization_pending":
                    continue;
                case "slow_down":
                    interval = OAuthHttp.Seconds(OAuthHttp.Int64(json, "interval"), MaxPollInterval) ?? Min(interval + SlowDownStep, MaxPollInterval);
                    continue;
                case "expired_token":
                    throw new OAuthException("The device code expired before it was approved; run the login again.", null, "expired_token");
                case "access_denied":
                    throw new OAuthException($"The authorization was denied on {service}.", null, "access_denied");
                case var other:
                    throw new OAuthException($"{step}: {other}.", null, other);
            }
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
