namespace LlmMux.Translation;

public enum TranslationErrorKind
{
    InvalidJson,
    WrongType,
    MissingField,
    TruncatedStream,
    Unsupported,

    /// <summary>A stream event exceeded <see cref="TranslatorOptions.MaxEventBytes"/>; see <see cref="StreamEventTooLargeException"/>.</summary>
    EventTooLarge,
}

/// <summary>The only exception the translator lets out for malformed or untranslatable input (this type or one
/// derived from it).</summary>
public class TranslationException : Exception
{
    public TranslationException()
        : this(TranslationErrorKind.InvalidJson, "translation failed")
    {
    }

    public TranslationException(string message)
        : this(TranslationErrorKind.InvalidJson, message)
    {
    }

    public TranslationException(string message, Exception innerException)
        : this(TranslationErrorKind.InvalidJson, message, innerException)
    {
    }

    public TranslationException(TranslationErrorKind kind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
    }

    public TranslationErrorKind Kind { get; }

    internal static TranslationException Missing(string path) =>
        new(TranslationErrorKind.MissingField, $"missing required field '{path}'");

    internal static TranslationException Type(string path, string expected) =>
        new(TranslationErrorKind.WrongType, $"field '{path}' must be {expected}");
}
