using System.Text.Json;
using LlmMux.Translation.Internal;

namespace LlmMux.Translation.OpenAIChat;

/// <summary>
/// The fields every OpenAI stream chunk repeats (<c>id</c>, <c>object</c>, <c>created</c>, <c>model</c>), fixed on the
/// first chunk and encoded once for the whole stream. Shared by Chat Completions and legacy Completions chunks.
/// </summary>
internal sealed class OpenAIChunkHeader(string objectName)
{
    private readonly JsonEncodedText _object = JsonEncodedText.Encode(objectName, JsonWrite.Options.Encoder);
    private JsonEncodedText _id;
    private JsonEncodedText _model;
    private long _created;

    public bool IsFixed => _created != 0;

    public void Fix(string id, string model, long created)
    {
        _created = created;
        _id = JsonEncodedText.Encode(id, JsonWrite.Options.Encoder);
        _model = JsonEncodedText.Encode(model, JsonWrite.Options.Encoder);
    }

    /// <summary><c>id</c>, <c>object</c> and <c>created</c>; the model goes where the dialect puts it (<see cref="WriteModel"/>).</summary>
    public void Write(Utf8JsonWriter w)
    {
        w.WriteString("id"u8, _id);
        w.WriteString("object"u8, _object);
        w.WriteNumber("created"u8, _created);
    }

    public void WriteModel(Utf8JsonWriter w) => w.WriteString("model"u8, _model);
}
