using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Dashboard;

/// <summary>
/// The dashboard's signed-in browsers (docs/security.md, "Dashboard"): a random session id in an HttpOnly,
/// SameSite=Strict cookie maps to a server-side entry with its own CSRF token and an expiry. Entries are kept under the
/// SHA-256 of the id. Alone they live in memory only (a restart signs everyone out); in a cluster each is also kept in
/// Redis (<see cref="ISharedDashboardSessions"/>), so any replica accepts it and a sign-out anywhere ends it everywhere.
/// An entry made under one management secret stops working when the secret changes.
/// </summary>
internal sealed class DashboardSessions
{
    public const string CookieName = "llm-mux-dashboard";
    public const string CsrfHeader = "X-LlmMux-Csrf";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);
    private const int MaxSessions = 1000;

    /// <summary>How long a replica trusts a shared session it holds before asking Redis whether it still stands.</summary>
    public static readonly TimeSpan RecheckEvery = TimeSpan.FromSeconds(10);

    // Each session with when this replica last knew it stood (made here, or read from Redis).
    private readonly ConcurrentDictionary<string, (DashboardSession Session, DateTimeOffset Checked)> _sessions = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly ISharedDashboardSessions? _shared;

    public DashboardSessions(TimeProvider time, ISharedDashboardSessions? shared = null)
    {
        _time = time;
        _shared = shared;
        if (shared is not null)
        {
            shared.Ended += Forget;
            shared.Restored += () => _ = WriteBackAsync();
        }
    }

    /// <summary>Starts a session for a caller who just gave <paramref name="secretKey"/>'s secret; returns (id, csrf).</summary>
    public async Task<(string Id, string Csrf, DateTimeOffset Expires)> StartAsync(string secretKey)
    {
        var now = _time.GetUtcNow();
        Sweep(now);
        var id = Token();
        var session = new DashboardSession(Token(), now + Lifetime, Fingerprint(id, secretKey));
        _sessions[KeyOf(id)] = (session, now);

        // Written before the browser has its cookie, so its next call is accepted by whichever replica it reaches.
        if (_shared is not null)
        {
            await _shared.SaveAsync(KeyOf(id), session).ConfigureAwait(false);
        }

        return (id, session.Csrf, session.Expires);
    }

    public void End(string? id)
    {
        if (!string.IsNullOrEmpty(id))
        {
            var key = KeyOf(id);
            Forget(key);
            _shared?.Remove(key);
        }
    }

    /// <summary>
    /// In a cluster, fetches the session the request's cookie names from Redis when this replica has not seen it (it
    /// was started on another replica), and every <see cref="RecheckEvery"/> asks whether one it holds still stands (it
    /// may have been signed out elsewhere), so the synchronous checks below see the fleet's sessions. Alone it does nothing.
    /// </summary>
    public async ValueTask LoadAsync(HttpContext http)
    {
        if (_shared is null || !http.Request.Cookies.TryGetValue(CookieName, out var id) || id is not { Length: > 0 and <= 128 })
        {
            return;
        }

        var key = KeyOf(id);
        var now = _time.GetUtcNow();
        if (_sessions.TryGetValue(key, out var held) && now - held.Checked < RecheckEvery)
        {
            return;
        }

        var (answered, session) = await _shared.FindAsync(key, http.RequestAborted).ConfigureAwait(false);
        if (!answered)
        {
            return;
        }

        if (session is null || session.Expires <= now)
        {
            Forget(key);
            return;
        }

        if (!_sessions.ContainsKey(key))
        {
            Sweep(now);
        }

        _sessions[key] = (session, now);
    }

    /// <summary>The CSRF token of the live session the request's cookie names, or null.</summary>
    public string? CsrfOf(HttpContext http, string secretKey)
    {
        if (!http.Request.Cookies.TryGetValue(CookieName, out var id) || string.IsNullOrEmpty(id) || !_sessions.TryGetValue(KeyOf(id), out var entry))
        {
            return null;
        }

        var session = entry.Session;
        if (session.Expires <= _time.GetUtcNow() || !CryptographicOperations.FixedTimeEquals(session.Fingerprint, Fingerprint(id, secretKey)))
        {
            Forget(KeyOf(id));
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

    private void Forget(string key)
    {
        _sessions.TryRemove(key, out _);
    }

    private async Task WriteBackAsync()
    {
        foreach (var (key, (session, _)) in _sessions)
        {
            await _shared!.SaveAsync(key, session).ConfigureAwait(false);
        }
    }

    public static bool HasCookie(HttpContext http) => http.Request.Cookies.ContainsKey(CookieName);

    private void Sweep(DateTimeOffset now)
    {
        foreach (var (key, value) in _sessions)
        {
            if (value.Session.Expires <= now)
            {
                Forget(key);
            }
        }

        // A flood of sign-ins (each one a right secret) cannot grow the table without bound: the oldest go first.
        while (_sessions.Count >= MaxSessions)
        {
            Forget(_sessions.MinBy(p => p.Value.Session.Expires).Key);
        }
    }

    private static string Token() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string KeyOf(string id) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)));

    private static byte[] Fingerprint(string id, string secretKey) => HMACSHA256.HashData(Encoding.UTF8.GetBytes(id), Encoding.UTF8.GetBytes(secretKey));
}
