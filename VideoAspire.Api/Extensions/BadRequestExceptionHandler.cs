using Microsoft.AspNetCore.Diagnostics;

namespace VideoAspire.Api.Extensions;

/// <summary>
/// A body that is not JSON, or too large, is the caller's mistake: 400/413 problem details saying so, never a 500.
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

        httpContext.Response.StatusCode = badRequest.StatusCode;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails =
            {
                Status = badRequest.StatusCode,
                Title = badRequest.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Request body too large" : "Malformed request",
                Detail = badRequest.StatusCode == StatusCodes.Status413PayloadTooLarge
                    ? "The request body exceeds the size this endpoint accepts."
                    : "The request body could not be read as the JSON this endpoint expects.",
            },
        });
    }
}
