// A row of tab titles with the current one in inverse video.
import { Box, Text } from "ink";

export function Tabs<T extends string>({ tabs, current }: { tabs: readonly T[]; current: T }) {
  return (
    <Box height={1}>
      {tabs.map((t) => (
        <Text key={t} inverse={t === current} bold={t === current}>
          {` ${t} `}
        </Text>
      ))}
    </Box>
  );
}
