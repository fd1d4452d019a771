namespace LlmMux.Accounts.OAuth;

/// <summary>A device code to show the user. <see cref="ToString"/> leaves out the device code.</summary>
internal sealed record DeviceCode(string UserCode, string VerificationUri, TimeSpan Interval, TimeSpan ExpiresIn)
{
    internal string Secret { get; init; } = "";

    public override string ToString() => $"DeviceCode {{ UserCode = {UserCode}, VerificationUri = {VerificationUri} }}";
}
