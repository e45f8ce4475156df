using Microsoft.AspNetCore.Diagnostics;

namespace VideoAspire.Api.Extensions;

/// <summary>
/// A body that is not JSON or too large, or a query value of the wrong type, is the caller's mistake: 400/413 problem
/// details saying which, never a 500.
/// (Minimal APIs throw these in Development and answer bare status codes elsewhere; this makes both the same.)
/// </summary>
internal sealed class BadRequestExceptionHandler(IProblemDetailsService problemDetails) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException badRequest)
        {
            return false;
        }

        var (title, detail) = Describe(badRequest);
        httpContext.Response.StatusCode = badRequest.StatusCode;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = { Status = badRequest.StatusCode, Title = title, Detail = detail },
        });
    }

    private static (string Title, string Detail) Describe(BadHttpRequestException exception)
    {
        if (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return ("Request body too large", "The request body exceeds the size this endpoint accepts.");
        }

        // A query or route value of the wrong type (wait=abc): the framework's message names the parameter and value.
        if (exception.Message.StartsWith("Failed to bind parameter", StringComparison.Ordinal))
        {
            var message = exception.Message.Length <= 300 ? exception.Message : exception.Message[..300] + "…";
            return ("Invalid query or route value", message);
        }

        return ("Malformed request", "The request body could not be read as the JSON this endpoint expects.");
    }
}
