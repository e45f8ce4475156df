using Microsoft.AspNetCore.Diagnostics;
using VideoAspire.Data;

namespace VideoAspire.Api.Extensions;

/// <summary>
/// PostgreSQL being unreachable is an outage, not a bug: answer 503 with Retry-After so callers and
/// load balancers back off. Everything else falls through to the generic 500 problem details.
/// </summary>
internal sealed partial class DependencyUnavailableExceptionHandler(
    IProblemDetailsService problemDetails,
    ILogger<DependencyUnavailableExceptionHandler> logger) : IExceptionHandler
{
    private const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!DatabaseFailures.IsUnavailable(exception))
        {
            return false;
        }

        LogDatabaseUnavailable(exception, httpContext.Request.Path);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Video store unavailable",
                Detail = "The video database cannot be reached and nothing is cached for this channel. Retry shortly.",
            },
        });
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "PostgreSQL unavailable while serving {Path}")]
    private partial void LogDatabaseUnavailable(Exception exception, string path);
}
