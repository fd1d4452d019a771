using System.Text.Json;

namespace LlmMux.Gateway.Transforms;

/// <summary>
/// Replaces the top-level <c>model</c> value of a JSON body by splicing bytes, so a same-dialect call reaches the
/// upstream byte for byte as the client sent it, apart from that one field.
/// </summary>
internal static class ModelFieldRewriter
{
    public static ReadOnlyMemory<byte> Rewrite(ReadOnlyMemory<byte> body, string model)
    {
        var reader = new Utf8JsonReader(body.Span);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isModel = reader.ValueTextEquals("model"u8);
            reader.Read();
            if (isModel && reader.TokenType == JsonTokenType.String)
            {
                var start = (int)reader.TokenStartIndex;
                var end = start + reader.ValueSpan.Length + 2;
                var replacement = JsonEncodedText.Encode(model).EncodedUtf8Bytes;
                var result = new byte[body.Length - (end - start) + replacement.Length + 2];
                body.Span[..start].CopyTo(result);
                result[start] = (byte)'"';
                replacement.CopyTo(result.AsSpan(start + 1));
                result[start + 1 + replacement.Length] = (byte)'"';
                body.Span[end..].CopyTo(result.AsSpan(start + replacement.Length + 2));
                return result;
            }

            reader.Skip();
        }

        return body;
    }
}
