using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;

namespace VideoAspire.Api.Extensions;

/// <summary>
/// A body that is not JSON or too large, or a query value of the wrong type, is the caller's mistake: 400/413 problem
/// details saying which, never a 500.
/// (Minimal APIs throw these in Development and answer bare status codes elsewhere; this makes both the same.)
/// </summary>
internal sealed partial class BadRequestExceptionHandler(IProblemDetailsService problemDetails) : IExceptionHandler
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

        // A query or route value of the wrong type (wait=abc): named by its parameter; the value is not echoed back.
        if (BindingFailure().Match(exception.Message) is { Success: true } failure)
        {
            return ("Invalid query or route value", $"'{failure.Groups["name"].Value}' must be a valid {failure.Groups["type"].Value}.");
        }

        return ("Malformed request", "The request body could not be read as the JSON this endpoint expects.");
    }

    /// <summary>The framework's message: <c>Failed to bind parameter "bool? wait" from "…".</c></summary>
    [GeneratedRegex(@"^Failed to bind parameter ""(?<type>[\w.<>?\[\], ]+?)\?? (?<name>\w+)""")]
    private static partial Regex BindingFailure();
}
