using System.Security.Cryptography;
using System.Text;

namespace LlmMux.Gateway.Cluster;

/// <summary>
/// AES-256-GCM for what the fleet keeps in Redis that must stay secret at rest (account files, pending logins).
/// A sealed value is <c>0x01 | nonce (12) | ciphertext | tag (16)</c>, with a fresh random nonce per seal and the
/// Redis key it is stored under as associated data, so a value copied to another key does not open. The key is
/// <c>cluster.encryption-key</c> / <c>LLM_MUX_CLUSTER_KEY</c>: base64 of exactly 32 bytes is used as it is; anything
/// else is a passphrase, stretched with PBKDF2-HMAC-SHA256 (600,000 iterations) and the fixed salt
/// <c>llm-mux/cluster-credentials/&lt;namespace&gt;</c> — every replica of a namespace derives the same key, and the
/// same passphrase gives another namespace another key.
/// </summary>
internal sealed class CredentialEnvelope
{
    public const int KeySize = 32;
    public const int Pbkdf2Iterations = 600_000;

    private const byte Format = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly byte[] _key;

    private CredentialEnvelope(byte[] key) => _key = key;

    /// <summary>The envelope of <paramref name="secret"/>, or null when no key is configured.</summary>
    public static CredentialEnvelope? TryCreate(string secret, string @namespace) =>
        string.IsNullOrWhiteSpace(secret) ? null : new CredentialEnvelope(DeriveKey(secret.Trim(), @namespace));

    internal static byte[] DeriveKey(string secret, string @namespace)
    {
        var raw = new byte[KeySize + 1];
        if (Convert.TryFromBase64String(secret, raw, out var written) && written == KeySize)
        {
            return raw[..KeySize];
        }

        return Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes("llm-mux/cluster-credentials/" + @namespace),
            Pbkdf2Iterations, HashAlgorithmName.SHA256, KeySize);
    }

    public byte[] Seal(ReadOnlySpan<byte> plaintext, string associated)
    {
        var sealedValue = new byte[1 + NonceSize + plaintext.Length + TagSize];
        sealedValue[0] = Format;
        var nonce = sealedValue.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plaintext, sealedValue.AsSpan(1 + NonceSize, plaintext.Length), sealedValue.AsSpan(1 + NonceSize + plaintext.Length), Encoding.UTF8.GetBytes(associated));
        return sealedValue;
    }

    /// <summary>The plaintext; throws <see cref="CryptographicException"/> for another key, another key name, or a value that was changed.</summary>
    public byte[] Open(ReadOnlySpan<byte> sealedValue, string associated)
    {
        if (sealedValue.Length < 1 + NonceSize + TagSize || sealedValue[0] != Format)
        {
            throw new CryptographicException("Not a sealed llm-mux value.");
        }

        var length = sealedValue.Length - 1 - NonceSize - TagSize;
        var plaintext = new byte[length];
        using var aes = new AesGcm(_key, TagSize);
        aes.Decrypt(sealedValue.Slice(1, NonceSize), sealedValue.Slice(1 + NonceSize, length), sealedValue[^TagSize..], plaintext, Encoding.UTF8.GetBytes(associated));
        return plaintext;
    }
}
