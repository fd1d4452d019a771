using System.Security.Cryptography;
using System.Text;
using LlmMux.Gateway.Cluster;

namespace LlmMux.Gateway.Tests.Cluster;

public sealed class CredentialEnvelopeTests
{
    private static readonly string RawKey = Convert.ToBase64String(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());
    private static readonly byte[] File = Encoding.UTF8.GetBytes("""{"type":"claude","access_token":"tok-very-secret"}""");

    [Fact]
    public void A_sealed_file_opens_with_the_same_key_and_key_name_and_does_not_show_the_token()
    {
        var envelope = CredentialEnvelope.TryCreate(RawKey, "ns")!;
        var sealedValue = envelope.Seal(File, "account:a");

        Assert.DoesNotContain("tok-very-secret", Encoding.UTF8.GetString(sealedValue), StringComparison.Ordinal);
        Assert.Equal(File, envelope.Open(sealedValue, "account:a"));
        Assert.NotEqual(sealedValue, envelope.Seal(File, "account:a")); // a fresh nonce per seal
    }

    [Fact]
    public void Another_key_another_key_name_or_a_changed_byte_does_not_open()
    {
        var envelope = CredentialEnvelope.TryCreate(RawKey, "ns")!;
        var sealedValue = envelope.Seal(File, "account:a");

        Assert.ThrowsAny<CryptographicException>(() => envelope.Open(sealedValue, "account:b"));
        Assert.ThrowsAny<CryptographicException>(() => CredentialEnvelope.TryCreate("another passphrase", "ns")!.Open(sealedValue, "account:a"));
        var tampered = (byte[])sealedValue.Clone();
        tampered[20] ^= 1;
        Assert.ThrowsAny<CryptographicException>(() => envelope.Open(tampered, "account:a"));
        Assert.ThrowsAny<CryptographicException>(() => envelope.Open([1, 2, 3], "account:a"));
    }

    [Fact]
    public void Base64_of_32_bytes_is_the_key_and_a_passphrase_is_stretched_per_namespace()
    {
        Assert.Equal(Convert.FromBase64String(RawKey), CredentialEnvelope.DeriveKey(RawKey, "ns"));

        var one = CredentialEnvelope.DeriveKey("correct horse battery staple", "ns");
        Assert.Equal(32, one.Length);
        Assert.Equal(one, CredentialEnvelope.DeriveKey("correct horse battery staple", "ns"));
        Assert.NotEqual(one, CredentialEnvelope.DeriveKey("correct horse battery staple", "other-ns"));
        Assert.NotEqual(one, Encoding.UTF8.GetBytes("correct horse battery staple"));
    }

    [Fact]
    public void No_key_no_envelope() => Assert.Null(CredentialEnvelope.TryCreate(" ", "ns"));
}
