namespace LlmMux.Accounts.Login;

/// <summary>How <see cref="AccountLogin.LoginAsync"/> talks to the user.</summary>
public sealed record LoginOptions
{
    /// <summary>Do not try to open a browser (<c>--no-browser</c>); the URL is printed either way.</summary>
    public bool NoBrowser { get; init; }

    /// <summary>
    /// <c>--name</c>: names the account instead of the e-mail / user name. Becomes the identity part of the file
    /// name (<c>claude-&lt;name&gt;.json</c>) and the <c>label</c>.
    /// </summary>
    public string? Name { get; init; }

    /// <summary>Where the URL, device code and next steps are printed.</summary>
    public TextWriter Output { get; init; } = TextWriter.Null;

    /// <summary>
    /// Where a pasted redirect URL (or code) is read from when the browser cannot reach the callback; null turns
    /// pasting off. Not used by the device flow.
    /// </summary>
    public TextReader? Input { get; init; }

    /// <summary>How long to wait for the browser / paste (default 5 min). The device flow waits until its code expires.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Opens the URL in a browser; returns false when it could not. Default: <see cref="OAuth.BrowserLauncher.TryOpen"/>.</summary>
    public Func<string, bool>? OpenBrowser { get; init; }

    /// <summary>Gemini: Google Cloud project to use or onboard (<c>--project</c>); default: what Code Assist reports.</summary>
    public string? ProjectId { get; init; }

    /// <summary>Vertex: the service-account key file to read (<c>--key-file</c>); no browser, no network.</summary>
    public string? KeyFile { get; init; }

    /// <summary>Clock for polling intervals (device flow, Code Assist onboarding).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
