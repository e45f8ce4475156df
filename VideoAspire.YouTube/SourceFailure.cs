namespace VideoAspire.YouTube;

/// <summary>Why a single source failed; decides whether the next source is tried.</summary>
public enum SourceFailure
{
    QuotaExceeded,
    KeyInvalid,
    Unavailable,
}
