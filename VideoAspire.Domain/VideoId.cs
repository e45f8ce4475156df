using System.Diagnostics.CodeAnalysis;

namespace VideoAspire.Domain;

/// <summary>The one definition of a well-formed YouTube video id.</summary>
public static class VideoId
{
    public const int Length = 11;

    public static bool IsValid([NotNullWhen(true)] string? value) =>
        value is { Length: Length } && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
