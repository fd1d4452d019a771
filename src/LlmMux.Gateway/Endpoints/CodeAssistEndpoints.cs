using LlmMux.Gateway.Errors;
using LlmMux.Gateway.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace LlmMux.Gateway.Endpoints;

/// <summary>
/// The Code Assist set-up calls the Gemini CLI makes before it generates (<c>loadCodeAssist</c>, <c>onboardUser</c>, ...),
/// answered locally so the CLI sees an onboarded project; generation itself is routed like any other model call.
/// Loopback callers only.
/// </summary>
internal static class CodeAssistEndpoints
{
    public static IEndpointRouteBuilder MapCodeAssist(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/v1internal:{method}", (HttpContext context, string method) =>
        {
            if (!Caller.IsLocal(context))
            {
                return ApiErrorWriter.WriteAsync(context, Translation.Dialect.GeminiCodeAssist, ApiError.LoopbackOnly());
            }

            var body = method switch
            {
                "loadCodeAssist" => """{"currentTier":{"id":"standard-tier","name":"llm-mux","userDefinedCloudaicompanionProject":true},"allowedTiers":[{"id":"standard-tier","name":"llm-mux","isDefault":true,"userDefinedCloudaicompanionProject":true}],"cloudaicompanionProject":"llm-mux"}""",
                "onboardUser" => """{"done":true,"response":{"cloudaicompanionProject":{"id":"llm-mux","name":"llm-mux"}}}""",
                _ => "{}",
            };
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync(body);
        });
        return endpoints;
    }
}
