using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace LlmMux.Gateway.Management;

/// <summary>
/// Checks management secrets against the stored hash, paying PBKDF2 once per secret: the SHA-256 of the secret that
/// last passed is kept per stored hash, and later calls compare against it. Keyed by the salted hash, so a changed
/// secret never matches an old entry. One per process (a DI singleton).
/// </summary>
internal sealed class ManagementSecretVerifier
{
    private const int MaxCached = 64;

    private readonly ConcurrentDictionary<string, Entry> _verified = new(StringComparer.Ordinal);

    public bool Verify(string stored, string candidate)
    {
        if (!ManagementSecret.IsHashed(stored))
        {
            return ManagementSecret.Matches(stored, candidate);
        }

        var candidateDigest = SHA256.HashData(Encoding.UTF8.GetBytes(candidate));
        var entry = _verified.GetOrAdd(stored, static _ => new Entry());
        if (Volatile.Read(ref entry.Accepted) is { } accepted)
        {
            // Only one secret passes a given hash, so a digest that differs from the accepted one is wrong without PBKDF2.
            return CryptographicOperations.FixedTimeEquals(accepted, candidateDigest);
        }

        Interlocked.Increment(ref entry.Derivations);
        if (!ManagementSecret.Matches(stored, candidate))
        {
            return false;
        }

        if (_verified.Count > MaxCached)
        {
            _verified.Clear(); // old secrets of a long-running process; the current one is derived once more
            _verified[stored] = entry;
        }

        Volatile.Write(ref entry.Accepted, candidateDigest);
        return true;
    }

    /// <summary>
    /// True when <paramref name="candidate"/> is the secret that already passed the full check: costs one SHA-256, so it
    /// may run even while the caller is throttled (a guesser on the same machine must not lock the real admin out).
    /// </summary>
    public bool IsKnownGood(string stored, string candidate)
        => _verified.TryGetValue(stored, out var entry) && Volatile.Read(ref entry.Accepted) is { } accepted
            && CryptographicOperations.FixedTimeEquals(accepted, SHA256.HashData(Encoding.UTF8.GetBytes(candidate)));

    /// <summary>How many PBKDF2 derivations checks against <paramref name="stored"/> have cost (tests).</summary>
    internal int DerivationsFor(string stored) => _verified.TryGetValue(stored, out var entry) ? Volatile.Read(ref entry.Derivations) : 0;

    private sealed class Entry
    {
        public byte[]? Accepted;
        public int Derivations;
    }
}
