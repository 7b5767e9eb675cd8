using System.Globalization;

namespace TestSupport;

/// <summary>A process's resident memory as /proc reports it.</summary>
public static class ProcessMemory
{
    /// <summary>VmRSS, and the part that is the process's own (anonymous and shared-memory pages, not the mapped runtime and assembly files).</summary>
    public static string Describe(int pid)
    {
        var status = File.ReadLines($"/proc/{pid}/status").Select(l => l.Split(':', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        double Megabytes(string key) => long.Parse(status[key].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
        return string.Create(CultureInfo.InvariantCulture, $"{Megabytes("VmRSS"):0.0} MB (private {Megabytes("RssAnon") + Megabytes("RssShmem"):0.0} MB, mapped files {Megabytes("RssFile"):0.0} MB)");
    }
}
