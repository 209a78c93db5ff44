// The CIDR map of a pool: its space to scale as allocated, child-pool and free blocks (layout.ts),
// zoomable from the pool's CIDR to a /28 (/64), hover details, "allocate here" on free space.
// Allocations arrive 1,000 a page and the map is drawn again after each, so a pool of 10,000
// draws at once and fills in.
import { type ApiClient, type ApiOutput, errorText } from '../api/client.ts';
import { h } from '../dom.ts';
import { type Cidr, formatAddress, formatCidr, formatCount, parseCidr, sizeOf } from './cidr.ts';
import { type Block, freeRanges, layoutMap, rangeToCidrs, type Segment, zoomIn, zoomOut } from './layout.ts';

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 960;
const ROW_HEIGHT = 22;
const ROW_GAP = 3;
const PAGE_SIZE = 1000;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string | number>): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  return element;
}

function blockOf(allocation: ApiOutput): Block | undefined {
  const cidr = parseCidr(allocation.Cidr);
  if (!cidr) return undefined;
  const childPool = allocation.ResourceType === 'ipam-pool';
  const what = childPool
    ? `child pool ${allocation.ResourceId}`
    : [allocation.ResourceType, allocation.ResourceId, allocation.Description].filter(Boolean).join(' ');
  return {
    start: cidr.start,
    size: sizeOf(cidr),
    kind: childPool ? 'child-pool' : 'allocated',
    label: `${allocation.Cidr} ${what}`.trim(),
  };
}

function describeSegment(segment: Segment, family: Cidr['family']): string {
  const range = `${formatAddress(family, segment.start)} – ${formatAddress(family, segment.start + segment.size - 1n)}`;
  if (segment.blocks.length === 1 && segment.kind !== 'free') return `${segment.blocks[0].label} (${formatCount(segment.size)} addresses)`;
  if (segment.kind === 'free') {
    const cidrs = rangeToCidrs(family, segment.start, segment.size);
    return `free: ${cidrs.length <= 3 ? cidrs.map(formatCidr).join(', ') : range} (${formatCount(segment.size)} addresses)`;
  }
  const used = segment.blocks.filter((block) => block.kind !== 'free').length;
  return `${range}: ${used} blocks too small to draw at this zoom (${formatCount(segment.size)} addresses); zoom in to see them`;
}

export interface CidrMapOptions {
  client: ApiClient;
  pool: ApiOutput;
  /** The pool's provisioned CIDRs: the map shows one at a time. */
  cidrs: string[];
  /** Puts a CIDR into the allocation form. */
  onAllocateHere(cidr: string): void;
  /** After each page of allocations: the addresses they hold so far, and whether that was the last page. */
  onAllocated?(addresses: bigint, complete: boolean): void;
}

export function cidrMap({ client, pool, cidrs, onAllocateHere, onAllocated }: CidrMapOptions): HTMLElement {
  const outerChoices = cidrs.map((text) => parseCidr(text)).filter((cidr): cidr is Cidr => cidr !== undefined);
  const container = h('section', { class: 'panel cidr-map', 'aria-labelledby': 'map-title' }, h('h2', { id: 'map-title' }, 'CIDR map'));
  if (outerChoices.length === 0) {
    onAllocated?.(0n, true);
    container.append(h('p', { class: 'empty' }, 'No provisioned CIDR to draw yet.'));
    return container;
  }
  let outer = outerChoices[0];
  let window = outer;
  let blocks: Block[] = [];
  let selected: Segment | undefined;
  const progress = h('p', { class: 'meta', id: 'map-progress', role: 'status' }, 'Loading allocations…');
  const windowLabel = h('strong', { id: 'map-window' });
  const details = h('p', { class: 'details', id: 'map-details', 'aria-live': 'polite' }, 'Hover over or select a block.');
  // Focusable: arrow keys select blocks, Enter zooms in on the selection, Backspace zooms out.
  const picture = svg('svg', {
    viewBox: `0 0 ${WIDTH} ${ROW_HEIGHT}`,
    role: 'img',
    tabindex: 0,
    'aria-describedby': 'map-keys map-details',
  });
  const keys = h('p', { class: 'meta', id: 'map-keys' }, 'Keyboard: arrow keys select a block, Enter zooms in on it, Backspace zooms out.');
  let segments: Segment[] = [];
  const outerSelect = h(
    'select',
    { id: 'map-cidr', 'aria-label': 'Pool CIDR to draw' },
    outerChoices.map((cidr) => h('option', { value: formatCidr(cidr) }, formatCidr(cidr))),
  );
  const zoomOutButton = h('button', { type: 'button' }, 'Zoom out');
  const zoomInButton = h('button', { type: 'button', disabled: true }, 'Zoom in on selection');
  const allocateButton = h('button', { type: 'button', disabled: true }, 'Allocate here');
  const freeList = h('ul', { class: 'free-list', 'aria-label': 'Free CIDRs in view' });

  const draw = () => {
    const layout = layoutMap(window, blocks, WIDTH);
    segments = layout.segments;
    const height = layout.rows * (ROW_HEIGHT + ROW_GAP);
    picture.setAttribute('viewBox', `0 0 ${WIDTH} ${height}`);
    const used = blocks.filter((block) => block.start < window.start + sizeOf(window) && block.start + block.size > window.start);
    const free = layout.segments.filter((segment) => segment.kind === 'free').reduce((sum, segment) => sum + segment.size, 0n);
    picture.setAttribute(
      'aria-label',
      `Map of ${formatCidr(window)}: ${used.length} allocations and child pools, ${formatCount(free)} of ${formatCount(sizeOf(window))} addresses free`,
    );
    picture.replaceChildren();
    layout.segments.forEach((segment, index) => {
      const rect = svg('rect', {
        x: segment.x,
        y: segment.row * (ROW_HEIGHT + ROW_GAP),
        width: Math.max(segment.width, 1),
        height: ROW_HEIGHT,
        class: segment.kind,
        'data-index': index,
      });
      const title = svg('title', {});
      title.textContent = describeSegment(segment, window.family);
      rect.append(title);
      picture.append(rect);
    });
    picture.onmouseover = (event) => {
      const index = (event.target as Element).getAttribute('data-index');
      if (index !== null) details.textContent = describeSegment(layout.segments[Number(index)], window.family);
    };
    picture.onclick = (event) => {
      const index = (event.target as Element).getAttribute('data-index');
      if (index === null) return;
      select(layout.segments[Number(index)], event.target as SVGRectElement);
    };
    windowLabel.textContent = formatCidr(window);
    zoomOutButton.disabled = window.prefix === outer.prefix;
    selected = undefined;
    zoomInButton.disabled = true;
    allocateButton.disabled = true;
    // From the free ranges, not the drawn segments: a range spanning rows is still one CIDR.
    const usedInWindow = blocks.map((block) => ({ start: block.start, size: block.size }));
    const freeCidrs = freeRanges(window, usedInWindow)
      .flatMap((range) => rangeToCidrs(window.family, range.start, range.size))
      .sort((a, b) => a.prefix - b.prefix)
      .slice(0, 8);
    freeList.replaceChildren(
      ...freeCidrs.map((cidr) => {
        const button = h('button', { type: 'button', class: 'link', 'aria-label': `Allocate ${formatCidr(cidr)}` }, 'Allocate');
        button.addEventListener('click', () => onAllocateHere(formatCidr(cidr)));
        return h('li', {}, h('code', {}, formatCidr(cidr)), ' ', button);
      }),
    );
  };

  const select = (segment: Segment, rect: SVGRectElement) => {
    for (const other of picture.querySelectorAll('.selected')) other.classList.remove('selected');
    rect.classList.add('selected');
    selected = segment;
    details.textContent = describeSegment(segment, window.family);
    zoomInButton.disabled = zoomIn(window, segment.start).prefix === window.prefix;
    allocateButton.disabled = segment.kind !== 'free';
  };

  picture.addEventListener('keydown', (event) => {
    const index = selected ? segments.indexOf(selected) : -1;
    const move = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
    if (move !== undefined) {
      const next = Math.min(segments.length - 1, Math.max(0, index + move));
      select(segments[next], picture.querySelector<SVGRectElement>(`rect[data-index="${next}"]`)!);
    } else if (event.key === 'Enter' && selected) zoomInButton.click();
    else if (event.key === 'Backspace') zoomOutButton.click();
    else return;
    event.preventDefault();
  });
  zoomInButton.addEventListener('click', () => {
    if (!selected) return;
    window = zoomIn(window, selected.start + selected.size / 2n);
    draw();
  });
  zoomOutButton.addEventListener('click', () => {
    window = zoomOut(window, outer);
    draw();
  });
  allocateButton.addEventListener('click', () => {
    if (selected?.kind !== 'free') return;
    // The CIDR of the free range that holds the selected spot.
    const at = selected.start;
    const range = freeRanges(window, blocks).find((free) => free.start <= at && at < free.start + free.size);
    const cidr =
      range &&
      rangeToCidrs(window.family, range.start, range.size).find(
        (candidate) => candidate.start <= at && at < candidate.start + sizeOf(candidate),
      );
    if (cidr) onAllocateHere(formatCidr(cidr));
  });
  outerSelect.addEventListener('change', () => {
    outer = parseCidr(outerSelect.value)!;
    window = outer;
    draw();
  });

  // Allocations page by page; the map is drawn after each page.
  void (async () => {
    let NextToken: string | undefined;
    try {
      do {
        const page = await client.call('GetIpamPoolAllocations', {
          IpamPoolId: pool.IpamPoolId,
          MaxResults: PAGE_SIZE,
          ...(NextToken ? { NextToken } : {}),
        });
        for (const allocation of page.IpamPoolAllocations ?? []) {
          const block = blockOf(allocation);
          if (block) blocks.push(block);
        }
        NextToken = page.NextToken;
        onAllocated?.(
          blocks.reduce((sum, block) => sum + block.size, 0n),
          !NextToken,
        );
        progress.textContent = NextToken ? `Loaded ${blocks.length} allocations; more coming…` : `All ${blocks.length} allocations loaded.`;
        if (!container.isConnected && blocks.length > PAGE_SIZE) return;
        draw();
      } while (NextToken);
      container.dataset.loaded = 'true';
    } catch (error) {
      progress.textContent = `Could not load allocations: ${errorText(error)}`;
    }
  })();

  blocks = [];
  draw();
  container.append(
    h(
      'div',
      { class: 'actions' },
      outerChoices.length > 1 ? outerSelect : null,
      h('span', {}, 'Showing ', windowLabel),
      zoomOutButton,
      zoomInButton,
      allocateButton,
    ),
    h(
      'div',
      { class: 'legend', 'aria-hidden': 'true' },
      h('span', {}, h('span', { class: 'swatch allocated' }), 'allocated'),
      h('span', {}, h('span', { class: 'swatch child-pool' }), 'child pool'),
      h('span', {}, h('span', { class: 'swatch free' }), 'free'),
      h('span', {}, h('span', { class: 'swatch dense' }), 'many small blocks'),
    ),
    picture,
    keys,
    details,
    progress,
    h('h3', {}, 'Largest free CIDRs in view'),
    freeList,
  );
  return container;
}
