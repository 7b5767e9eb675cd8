namespace Scripts.Tests;

internal static class Processes
{
    /// <summary>Whether process <paramref name="pid"/> runs: a zombie or a vanished process has no command line.</summary>
    public static bool IsRunning(int pid)
    {
        try
        {
            return File.ReadAllBytes($"/proc/{pid}/cmdline").Length > 0;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
