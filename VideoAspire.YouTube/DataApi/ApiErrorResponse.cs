namespace VideoAspire.YouTube.DataApi;

internal sealed record ApiErrorResponse(ApiError? Error);
