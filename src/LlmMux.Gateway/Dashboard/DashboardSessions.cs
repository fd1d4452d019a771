using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Dashboard;

/// <summary>
/// The dashboard's signed-in browsers (docs/security.md, "Dashboard"): a random session id in an HttpOnly,
/// SameSite=Strict cookie maps to a server-side entry with its own CSRF token and an expiry. Kept in memory only: a
/// restart signs everyone out, and an entry made under one management secret stops working when the secret changes.
/// </summary>
internal sealed class DashboardSessions(TimeProvider time)
{
    public const string CookieName = "llm-mux-dashboard";
    public const string CsrfHeader = "X-LlmMux-Csrf";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);
    private const int MaxSessions = 1000;

    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);

    private sealed record Session(string Csrf, DateTimeOffset Expires, byte[] SecretFingerprint);

    /// <summary>Starts a session for a caller who just gave <paramref name="secretKey"/>'s secret; returns (id, csrf).</summary>
    public (string Id, string Csrf, DateTimeOffset Expires) Start(string secretKey)
    {
        var now = time.GetUtcNow();
        Sweep(now);
        var id = Token();
        var session = new Session(Token(), now + Lifetime, Fingerprint(secretKey));
        _sessions[id] = session;
        return (id, session.Csrf, session.Expires);
    }

    public void End(string? id)
    {
        if (!string.IsNullOrEmpty(id))
        {
            _sessions.TryRemove(id, out _);
        }
    }

    /// <summary>The CSRF token of the live session the request's cookie names, or null.</summary>
    public string? CsrfOf(HttpContext http, string secretKey)
    {
        if (!http.Request.Cookies.TryGetValue(CookieName, out var id) || string.IsNullOrEmpty(id) || !_sessions.TryGetValue(id, out var session))
        {
            return null;
        }

        if (session.Expires <= time.GetUtcNow() || !CryptographicOperations.FixedTimeEquals(session.SecretFingerprint, Fingerprint(secretKey)))
        {
            _sessions.TryRemove(id, out _);
            return null;
        }

        return session.Csrf;
    }

    /// <summary>
    /// Whether the request's cookie session authenticates it: a live session, and for anything but GET/HEAD the session's
    /// token in <see cref="CsrfHeader"/> (a cross-site form cannot set a header; the browser guard refuses a foreign Origin).
    /// </summary>
    public bool Accepts(HttpContext http, string secretKey)
    {
        if (CsrfOf(http, secretKey) is not { } csrf)
        {
            return false;
        }

        var method = http.Request.Method;
        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method))
        {
            return true;
        }

        var given = http.Request.Headers[CsrfHeader].ToString();
        return given.Length == csrf.Length && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(given), Encoding.ASCII.GetBytes(csrf));
    }

    public static bool HasCookie(HttpContext http) => http.Request.Cookies.ContainsKey(CookieName);

    private void Sweep(DateTimeOffset now)
    {
        foreach (var (key, value) in _sessions)
        {
            if (value.Expires <= now)
            {
                _sessions.TryRemove(key, out _);
            }
        }

        // A flood of sign-ins (each one a right secret) cannot grow the table without bound: the oldest go first.
        while (_sessions.Count >= MaxSessions)
        {
            var oldest = _sessions.MinBy(p => p.Value.Expires).Key;
            _sessions.TryRemove(oldest, out _);
        }
    }

    private static string Token() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] Fingerprint(string secretKey) => SHA256.HashData(Encoding.UTF8.GetBytes(secretKey));
}
