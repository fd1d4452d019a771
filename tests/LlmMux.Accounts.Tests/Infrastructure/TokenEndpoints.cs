using System.Text.Json.Nodes;
using LlmMux.Accounts.Store;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Accounts.Tests.Infrastructure;

/// <summary>Token endpoints and account files that several test classes play with.</summary>
public static class TokenEndpoints
{
    /// <summary>
    /// A token endpoint at <paramref name="path"/> that rotates: rt-N is valid only until it has been used once; it then
    /// issues at-(N+1)/rt-(N+1). Other refresh tokens get <c>invalid_grant</c>. <paramref name="gate"/> holds answers back.
    /// </summary>
    public static void Rotating(FakeServer fake, Task? gate = null, string path = "/token")
    {
        var valid = "rt-0";
        var next = 0;
        var sync = new Lock();
        fake.On(path, async (context, request) =>
        {
            if (gate is not null)
            {
                await gate;
            }

            var presented = JsonNode.Parse(request.Body)!["refresh_token"]!.GetValue<string>();
            string json;
            lock (sync)
            {
                if (presented != valid)
                {
                    context.Response.StatusCode = 400;
                    json = """{"error":"invalid_grant","error_description":"Refresh token not found or invalid"}""";
                }
                else
                {
                    next++;
                    valid = "rt-" + next;
                    json = $$"""{"access_token":"at-{{next}}","refresh_token":"rt-{{next}}","expires_in":28800,"token_type":"Bearer"}""";
                }
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(json);
        });
    }

    /// <summary>The refresh tokens the fake was shown, in order.</summary>
    public static IEnumerable<string> PresentedRefreshTokens(FakeServer fake, string path = "/token") =>
        fake.Requests.Where(r => r.Path == path).Select(r => JsonNode.Parse(r.Body)!["refresh_token"]!.GetValue<string>());

    /// <summary>A claude account file expiring <paramref name="expiresIn"/> from <paramref name="now"/>.</summary>
    public static string ClaudeFile(string accessToken, string refreshToken, DateTimeOffset now, TimeSpan expiresIn, bool disabled = false) => $$"""
        {"type":"claude","email":"alice@example.com","access_token":"{{accessToken}}","refresh_token":"{{refreshToken}}",
         "expired":"{{AccountFiles.FormatTime(now + expiresIn)}}","last_refresh":"{{AccountFiles.FormatTime(now)}}",
         "unknown_field":"kept"{{(disabled ? ",\"disabled\":true" : "")}}}
        """;

    /// <summary>Polls <paramref name="condition"/> until it holds; fails after a generous bound.</summary>
    public static async Task WaitUntil(Func<bool> condition, int seconds = 20)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        while (!condition())
        {
            await Task.Delay(5, timeout.Token);
        }
    }
}
