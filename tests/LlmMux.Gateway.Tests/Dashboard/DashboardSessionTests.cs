using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using LlmMux.Gateway.Tests.EndToEnd;

namespace LlmMux.Gateway.Tests.Dashboard;

/// <summary>
/// The dashboard's pages and its sign-in (issue 17): embedded files with a strict CSP and ETags, a cookie session the
/// management API accepts, a CSRF token for anything that changes state, and the management API's refusals.
/// </summary>
public sealed class DashboardSessionTests
{
    private const string Secret = "dashboard-secret-0123456789";
    private const string Yaml = "management:\n  secret-key: \"" + Secret + "\"\n";

    private static HttpClient Browser(GatewayFixture gateway)
        => new(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = gateway.Client.BaseAddress };

    private static async Task<(string Cookie, string Csrf)> SignInAsync(HttpClient browser, string secret = Secret)
    {
        using var response = await browser.PostAsync("/dashboard/session", new StringContent($"{{\"secret\":\"{secret}\"}}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var setCookie = response.Headers.GetValues("Set-Cookie").Single();
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/", setCookie, StringComparison.OrdinalIgnoreCase);
        var csrf = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["csrf"]!.GetValue<string>();
        return (setCookie.Split(';')[0], csrf);
    }

    [Fact]
    public async Task The_pages_are_embedded_with_a_strict_policy_and_revalidate_by_etag()
    {
        await using var gateway = await GatewayFixture.StartAsync(Yaml);
        using var browser = Browser(gateway);

        using var bare = await browser.GetAsync("/dashboard");
        Assert.Equal(HttpStatusCode.Redirect, bare.StatusCode);
        using var page = await browser.GetAsync("/dashboard/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.StartsWith("text/html", page.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        var csp = page.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("default-src 'self'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp.Split(';').Single(d => d.Trim().StartsWith("script-src", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var script = await browser.GetAsync("/dashboard/app.js");
        Assert.StartsWith("text/javascript", script.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        var etag = script.Headers.ETag!;
        using var again = new HttpRequestMessage(HttpMethod.Get, "/dashboard/app.js");
        again.Headers.IfNoneMatch.Add(etag);
        using var notModified = await browser.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

        using var missing = await browser.GetAsync("/dashboard/../llm-mux.yaml");
        Assert.NotEqual(HttpStatusCode.OK, missing.StatusCode);
    }

    [Fact]
    public async Task A_wrong_secret_is_refused_and_a_session_reads_management_but_changes_nothing_without_its_token()
    {
        await using var gateway = await GatewayFixture.StartAsync(Yaml);
        using var browser = Browser(gateway);

        using (var wrong = await browser.PostAsync("/dashboard/session", new StringContent("{\"secret\":\"not-it\"}", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            Assert.False(wrong.Headers.Contains("Set-Cookie"));
        }

        using (var anonymous = await browser.GetAsync("/v0/management/accounts"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        var (cookie, csrf) = await SignInAsync(browser);
        using (var read = new HttpRequestMessage(HttpMethod.Get, "/v0/management/accounts"))
        {
            read.Headers.Add("Cookie", cookie);
            using var response = await browser.SendAsync(read);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // A state-changing call with the cookie alone (what a forged cross-site form would send) is refused.
        using (var forged = new HttpRequestMessage(HttpMethod.Post, "/v0/management/config/validate") { Content = new StringContent("port: 1\n", Encoding.UTF8, "application/yaml") })
        {
            forged.Headers.Add("Cookie", cookie);
            using var response = await browser.SendAsync(forged);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        using (var withToken = new HttpRequestMessage(HttpMethod.Post, "/v0/management/config/validate") { Content = new StringContent("port: 1\n", Encoding.UTF8, "application/yaml") })
        {
            withToken.Headers.Add("Cookie", cookie);
            withToken.Headers.Add("X-LlmMux-Csrf", csrf);
            using var response = await browser.SendAsync(withToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // Signed out, the cookie is worth nothing.
        using (var signOut = new HttpRequestMessage(HttpMethod.Delete, "/dashboard/session"))
        {
            signOut.Headers.Add("Cookie", cookie);
            using var response = await browser.SendAsync(signOut);
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        using var after = new HttpRequestMessage(HttpMethod.Get, "/v0/management/accounts");
        after.Headers.Add("Cookie", cookie);
        using var stale = await browser.SendAsync(after);
        Assert.Equal(HttpStatusCode.Unauthorized, stale.StatusCode);
    }

    [Fact]
    public async Task A_changed_secret_ends_every_session_and_without_a_secret_the_page_says_how_to_set_one()
    {
        await using var gateway = await GatewayFixture.StartAsync(Yaml);
        using var browser = Browser(gateway);
        var (cookie, _) = await SignInAsync(browser);

        Assert.Null(await gateway.RewriteConfigAsync("management:\n  secret-key: \"another-secret-9876543210\"\n"));
        using var read = new HttpRequestMessage(HttpMethod.Get, "/v0/management/accounts");
        read.Headers.Add("Cookie", cookie);
        using var refused = await browser.SendAsync(read);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        await using var unset = await GatewayFixture.StartAsync("port: 0\n");
        using var bare = Browser(unset);
        var state = JsonNode.Parse(await bare.GetStringAsync("/dashboard/session"))!;
        Assert.False(state["configured"]!.GetValue<bool>());
        using var signIn = await bare.PostAsync("/dashboard/session", new StringContent("{\"secret\":\"x\"}", Encoding.UTF8, "application/json"));
        Assert.Contains("llm-mux init", await signIn.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
