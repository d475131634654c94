/** The byte pipe a BridgeClient talks over: a serial port, a pty, or an in-memory script in tests. */
export interface ByteTransport {
  write(bytes: Uint8Array): Promise<void>;
  /** Returns a function that removes the listener. */
  onData(listener: (chunk: Uint8Array) => void): () => void;
  setBaud(baud: number): Promise<void>;
  pulseReset(line: 'dtr' | 'rts'): Promise<void>;
  close(): Promise<void>;
}
