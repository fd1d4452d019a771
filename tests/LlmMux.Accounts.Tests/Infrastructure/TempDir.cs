namespace LlmMux.Accounts.Tests.Infrastructure;

/// <summary>A fresh directory under the temp dir; <see cref="Auth"/> is an auth dir inside it that does not exist yet.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Root = Path.Combine(Path.GetTempPath(), "llm-mux-accounts-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public string Auth => Path.Combine(Root, "auth");

    public string File(string name) => Path.Combine(Auth, name);

    public void Write(string name, string content)
    {
        Directory.CreateDirectory(Auth);
        System.IO.File.WriteAllText(File(name), content);
    }

    public string Read(string name) => System.IO.File.ReadAllText(File(name));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
