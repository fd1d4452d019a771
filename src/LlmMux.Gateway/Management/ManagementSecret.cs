using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace LlmMux.Gateway.Management;

/// <summary>
/// The management secret as stored: <c>pbkdf2$&lt;iterations&gt;$&lt;salt&gt;$&lt;hash&gt;</c> (base64), PBKDF2-SHA256 with a random
/// salt. A plaintext value in the file is replaced by this form the first time llm-mux loads it. Checks run in
/// constant time.
/// </summary>
public static class ManagementSecret
{
    /// <summary>OWASP's current figure for PBKDF2-SHA256; older, smaller hashes still verify.</summary>
    public const int Iterations = 600_000;

    /// <summary>Outside this range a stored hash is a config error: too weak to trust, or slow enough to be a DoS.</summary>
    public const int MinIterations = 10_000, MaxIterations = 5_000_000;

    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    public static bool IsHashed(string stored) => stored.StartsWith("pbkdf2$", StringComparison.Ordinal);

    public static string Hash(string plaintext)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(plaintext), salt, Iterations, HashAlgorithmName.SHA256, HashBytes);
        return $"pbkdf2${Iterations.ToString(CultureInfo.InvariantCulture)}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    /// <summary>What is wrong with a stored hash, or null when <see cref="Matches"/> can use it.</summary>
    public static string? Problem(string stored)
        => !IsHashed(stored) || TryParse(stored, out _) ? null
            : $"must be a plaintext secret or pbkdf2$<iterations {MinIterations}-{MaxIterations}>$<base64 salt>$<base64 hash>, as llm-mux writes it";

    /// <summary>The full check: <paramref name="candidate"/> is the secret <paramref name="stored"/> holds (PBKDF2 for a hash).</summary>
    /// <remarks>Callers go through <see cref="ManagementSecretVerifier"/>, which pays the derivation once per secret.</remarks>
    internal static bool Matches(string stored, string candidate)
    {
        if (!IsHashed(stored))
        {
            // Only reachable for a secret from LLM_MUX_MANAGEMENT_KEY, which is never written anywhere.
            return CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(stored)), SHA256.HashData(Encoding.UTF8.GetBytes(candidate)));
        }

        if (!TryParse(stored, out var parsed))
        {
            return false;
        }

        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(candidate), parsed.Salt, parsed.Iterations, HashAlgorithmName.SHA256, parsed.Hash.Length);
        return CryptographicOperations.FixedTimeEquals(parsed.Hash, actual);
    }

    private static bool TryParse(string stored, out (int Iterations, byte[] Salt, byte[] Hash) parsed)
    {
        parsed = default;
        var parts = stored.Split('$');
        if (parts.Length != 4
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations)
            || iterations is < MinIterations or > MaxIterations)
        {
            return false;
        }

        var salt = new byte[parts[2].Length];
        var hash = new byte[parts[3].Length];
        if (!Convert.TryFromBase64String(parts[2], salt, out var saltLength) || saltLength < 8
            || !Convert.TryFromBase64String(parts[3], hash, out var hashLength) || hashLength is < 16 or > 64)
        {
            return false;
        }

        parsed = (iterations, salt[..saltLength], hash[..hashLength]);
        return true;
    }
}
