namespace LlmMux.Cli;

internal enum DoctorLevel
{
    Ok,
    Warn,
    Fail,
}

/// <summary>One line of <c>llm-mux doctor</c>: what was checked, how it went, and in plain words why.</summary>
internal sealed record DoctorCheck(DoctorLevel Level, string Subject, string Reason)
{
    public static DoctorCheck Ok(string subject, string reason) => new(DoctorLevel.Ok, subject, reason);

    public static DoctorCheck Warn(string subject, string reason) => new(DoctorLevel.Warn, subject, reason);

    public static DoctorCheck Fail(string subject, string reason) => new(DoctorLevel.Fail, subject, reason);

    public override string ToString() => $"{Level.ToString().ToLowerInvariant(),-4} {Subject}: {Reason}";
}
