namespace ChargeManager.Distribution.Api
{
    /// <summary>
    /// Takes the core's file operations out of the 50 ms loop's lock. Under the lock, Write, Delete and
    /// Move only queue the operation (Write copies the bytes); the API thread that made the request calls
    /// <see cref="Flush"/> after it released the lock, and the operations reach the real store (the
    /// device's flash) there, one after another, in the order the core issued them. So AtomicFile's
    /// sequence (name.new, name -> name.bak, name.new -> name) is replayed unchanged on flash and stays
    /// power-safe; two writes from two threads reach flash in the order the core applied them (both were
    /// queued under the same lock, and one flusher at a time drains the queue from the front). When
    /// Flush returns true, everything queued before the call is on flash: the API answers only then.
    /// Read and Exists see the queued operations first (read-your-writes). An operation stays queued
    /// until it succeeded; one that fails <see cref="MaxAttempts"/> flushes in a row is dropped (reported
    /// by Flush) so that a broken file cannot stop every later write. Thread-safe.
    /// </summary>
    public sealed class WriteBehindStore : IFileStore
    {
        /// <summary>Flushes in a row an operation may fail before it is dropped.</summary>
        public const int MaxAttempts = 3;

        const int OpWrite = 1, OpDelete = 2, OpMove = 3;

        readonly IFileStore flash;
        readonly object queueLock = new object();
        readonly object flushLock = new object();
        readonly int[] kinds;
        readonly string[] names, targets;
        readonly byte[][] datas;
        int head, count, attempts;

        /// <param name="capacity">Operations that may wait; a config write is 4 (AtomicFile). Full: Write/Delete/Move throw, before the core applies anything.</param>
        public WriteBehindStore(IFileStore flash, int capacity)
        {
            this.flash = flash;
            kinds = new int[capacity];
            names = new string[capacity];
            targets = new string[capacity];
            datas = new byte[capacity][];
        }

        /// <summary>Operations not yet on flash.</summary>
        public int Pending
        {
            get { lock (queueLock) return count; }
        }

        public void Write(string name, byte[] data, int length)
        {
            byte[] copy = new byte[length];
            for (int i = 0; i < length; i++)
                copy[i] = data[i];
            Enqueue(OpWrite, name, null, copy);
        }

        public void Delete(string name)
        {
            Enqueue(OpDelete, name, null, null);
        }

        public void Move(string from, string to)
        {
            Enqueue(OpMove, from, to, null);
        }

        public byte[] Read(string name)
        {
            byte[] data;
            string onFlash;
            int found;
            lock (queueLock)
                found = Resolve(name, count, out data, out onFlash);
            if (found == 1)
                return data;
            return found == 0 ? null : flash.Read(onFlash);
        }

        public bool Exists(string name)
        {
            byte[] data;
            string onFlash;
            int found;
            lock (queueLock)
                found = Resolve(name, count, out data, out onFlash);
            if (found == 1)
                return true;
            return found == 0 ? false : flash.Exists(onFlash);
        }

        void Enqueue(int kind, string name, string target, byte[] data)
        {
            lock (queueLock)
            {
                if (count == kinds.Length)
                    throw new System.InvalidOperationException("flash busy: " + count.ToString() + " file operations are waiting");
                int slot = (head + count) % kinds.Length;
                kinds[slot] = kind;
                names[slot] = name;
                targets[slot] = target;
                datas[slot] = data;
                count++;
            }
        }

        /// <summary>
        /// What the queue says about a file, looking at the operations before position <paramref name="below"/>,
        /// newest first: 1 = queued bytes in <paramref name="data"/>, 0 = absent, -1 = as the file
        /// <paramref name="onFlash"/> is on flash (a queued rename points at its source).
        /// </summary>
        int Resolve(string name, int below, out byte[] data, out string onFlash)
        {
            data = null;
            onFlash = name;
            for (int i = below - 1; i >= 0; i--)
            {
                int k = (head + i) % kinds.Length;
                if (kinds[k] == OpMove && targets[k] == name)
                    return Resolve(names[k], i, out data, out onFlash);
                if (names[k] != name)
                    continue;
                if (kinds[k] == OpWrite)
                {
                    data = datas[k];
                    return 1;
                }
                return 0; // deleted, or renamed away
            }
            return -1;
        }

        /// <summary>
        /// Writes every queued operation to flash, in order. Call it without holding the loop's lock.
        /// Returns false, with the reason in <paramref name="error"/>, when an operation failed (it is
        /// retried at the next flush, dropped after <see cref="MaxAttempts"/>); true when the queue is empty.
        /// </summary>
        public bool Flush(out string error)
        {
            error = null;
            lock (flushLock)
            {
                while (true)
                {
                    int kind;
                    string name, target;
                    byte[] data;
                    lock (queueLock)
                    {
                        if (count == 0)
                            return true;
                        kind = kinds[head];
                        name = names[head];
                        target = targets[head];
                        data = datas[head];
                    }
                    bool dropped = false;
                    try
                    {
                        // The operation stays queued while it runs, so Read sees it until it is on flash.
                        if (kind == OpWrite)
                            flash.Write(name, data, data.Length);
                        else if (kind == OpDelete)
                            flash.Delete(name);
                        else
                            flash.Move(name, target);
                        attempts = 0;
                    }
                    catch (System.Exception e)
                    {
                        error = (kind == OpWrite ? "writing " : kind == OpDelete ? "deleting " : "renaming ") + name + ": " + e.Message;
                        if (++attempts < MaxAttempts)
                            return false;
                        attempts = 0;
                        dropped = true;
                        error = error + " (given up after " + MaxAttempts.ToString() + " attempts)";
                    }
                    lock (queueLock)
                    {
                        kinds[head] = 0;
                        names[head] = targets[head] = null;
                        datas[head] = null;
                        head = (head + 1) % kinds.Length;
                        count--;
                    }
                    if (dropped)
                        return false;
                }
            }
        }
    }
}
