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
    private const int Iterations = 100_000;
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    public static bool IsHashed(string stored) => stored.StartsWith("pbkdf2$", StringComparison.Ordinal);

    public static string Hash(string plaintext)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(plaintext), salt, Iterations, HashAlgorithmName.SHA256, HashBytes);
        return $"pbkdf2${Iterations.ToString(CultureInfo.InvariantCulture)}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    public static bool Verify(string stored, string candidate)
    {
        if (!IsHashed(stored))
        {
            // Only reachable for a secret from LLM_MUX_MANAGEMENT_KEY, which is never written anywhere.
            return CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(stored)), SHA256.HashData(Encoding.UTF8.GetBytes(candidate)));
        }

        var parts = stored.Split('$');
        if (parts.Length != 4 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations))
        {
            return false;
        }

        var expected = Convert.FromBase64String(parts[3]);
        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(candidate), Convert.FromBase64String(parts[2]), iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(expected, actual);
    }
}
